import * as core from '@actions/core';
import {
  commentMarker,
  downloadPlanIdentity,
  fingerprintIn,
  IssueComments,
  identityDifferences,
  type PlanIdentity,
  type PlanStatus,
  planArtifactName,
  type RunContext,
  replaceStatus,
  type StackInputs,
  StackWorkspace,
  scratchDir,
  statusKind,
} from '@odp/actions-shared';
import { mergedPullRequest } from './mergedPullRequest.js';

export interface ApplyOutcome {
  stack: string;
  outcome: 'applied' | 'no-reviewed-plan';
  fingerprint: string | null;
}

/**
 * Applies what reviewers approved on the merged PR, stack by stack. Nothing a pull request run produced is
 * applied: this job plans the merged commit itself and applies that plan only when its fingerprint equals
 * the one in the stack's plan comment, as the workflow's bot wrote it. Comments by anyone else are ignored.
 * A different plan applies nothing and asks for a new review.
 */
export async function applyMergedPlan(inputs: StackInputs, context: RunContext): Promise<ApplyOutcome[]> {
  const pr = await mergedPullRequest(context);
  core.info(`Applying the plans reviewed in PR #${pr.number} (head ${pr.headSha})`);
  const workspace = await StackWorkspace.open(inputs);
  const comments = new IssueComments(context.octokit, context.repository, pr.number, inputs.commentAuthor);
  const dir = await scratchDir('odp-infra-apply');
  const outcomes: ApplyOutcome[] = [];
  for (const stack of await workspace.stacks()) {
    const marker = commentMarker(stack.name);
    const comment = await comments.find(marker);
    if (!comment || statusKind(comment.body) === 'unaffected') {
      core.info(
        `Stack ${stack.name}: PR #${pr.number} has no plan comment by ${inputs.commentAuthor} that changes it, nothing to apply`,
      );
      outcomes.push({ stack: stack.name, outcome: 'no-reviewed-plan', fingerprint: null });
      continue;
    }
    const reviewed = fingerprintIn(comment.body);
    if (!reviewed) {
      throw new Error(`stack ${stack.name}: the plan comment of PR #${pr.number} shows no fingerprint`);
    }
    const terraform = await workspace.prepare(stack);
    const planned = await workspace.plan(stack, terraform, `${dir}/${stack.name}.tfplan`);
    if (planned.identity.fingerprint !== reviewed) {
      const explained = await reviewedIdentity(inputs, context, stack.name, pr, dir, reviewed);
      await comments.update(
        comment.id,
        replaceStatus(comment.body, refusal(explained, planned.identity, context)),
      );
      throw new Error(
        `stack ${stack.name}: the plan of the merged commit differs from the one reviewed in PR #${pr.number} ` +
          `(${reviewed} → ${planned.identity.fingerprint}); nothing was applied, the PR comment says why`,
      );
    }
    core.info(`Stack ${stack.name}: this run's plan has the reviewed fingerprint ${reviewed}, applying it`);
    const applier = workspace.applier(stack);
    try {
      const mask = await workspace.secretMask(applier, planned.planFile, stack);
      core.info(mask.apply(await applier.apply(planned.planFile, inputs.lockTimeout)));
    } catch (error) {
      await comments.update(
        comment.id,
        replaceStatus(comment.body, {
          kind: 'apply-failed',
          runUrl: context.runUrl,
          message: 'Terraform stopped with an error, see the run log.',
        }),
      );
      throw error;
    }
    await comments.update(
      comment.id,
      replaceStatus(comment.body, { kind: 'applied', runUrl: context.runUrl }),
    );
    outcomes.push({ stack: stack.name, outcome: 'applied', fingerprint: reviewed });
  }
  return outcomes;
}

/**
 * The per-resource digests behind the reviewed fingerprint, from the PR run's artifact, to list what differs.
 * A pull request run wrote that artifact, so it is used only when its fingerprint is the reviewed one.
 */
async function reviewedIdentity(
  inputs: StackInputs,
  context: RunContext,
  stack: string,
  pr: { number: number; headSha: string },
  dir: string,
  fingerprint: string,
): Promise<PlanIdentity | null> {
  const name = planArtifactName(stack, pr.number);
  const identity = await downloadPlanIdentity(
    context.octokit,
    context.repository,
    inputs.githubToken,
    name,
    pr.headSha,
    dir,
  ).catch((error: unknown) => {
    core.warning(`artifact ${name} could not be read (${String(error)}): the refusal lists no resources`);
    return null;
  });
  return identity?.fingerprint === fingerprint ? identity : null;
}

function refusal(reviewed: PlanIdentity | null, now: PlanIdentity, context: RunContext): PlanStatus {
  if (!reviewed) {
    return {
      kind: 'refused',
      runUrl: context.runUrl,
      reason: 'the plan of the merged commit has a different fingerprint than the one reviewed here.',
      differences: [],
    };
  }
  const differences = identityDifferences(reviewed, now);
  const inputsMoved = reviewed.configHash !== now.configHash || reviewed.lockHash !== now.lockHash;
  const reason =
    differences.length > 0
      ? `the plan changed since review (${differences.length} ${differences.length === 1 ? 'resource differs' : 'resources differ'}).`
      : inputsMoved
        ? 'the configuration or provider lock file changed since review, though the resource changes are the same.'
        : 'the plan changed since review.';
  return { kind: 'refused', runUrl: context.runUrl, reason, differences };
}
