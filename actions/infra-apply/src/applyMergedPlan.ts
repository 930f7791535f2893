import * as core from '@actions/core';
import {
  commentMarker,
  configHash,
  downloadPlanBundle,
  IssueComments,
  identityDifferences,
  lockHash,
  type PlanIdentity,
  type PlanStatus,
  planArtifactName,
  type RunContext,
  renderStatus,
  replaceStatus,
  type Stack,
  type StackInputs,
  StackWorkspace,
  sameState,
  scratchDir,
  type Terraform,
} from '@odp/actions-shared';
import { mergedPullRequest } from './mergedPullRequest.js';

export interface ApplyOutcome {
  stack: string;
  outcome: 'applied' | 'no-reviewed-plan';
  fingerprint: string | null;
  via?: 'reviewed-plan' | 'same-fingerprint-replan';
}

/**
 * Applies what reviewers approved on the merged PR, stack by stack. The reviewed plan file is applied as is
 * when the state and configuration have not moved since; otherwise the stack is planned again and applied
 * only if the new plan has the reviewed fingerprint. A different plan applies nothing and asks for review.
 */
export async function applyMergedPlan(inputs: StackInputs, context: RunContext): Promise<ApplyOutcome[]> {
  const pr = await mergedPullRequest(context);
  core.info(`Applying the plans reviewed in PR #${pr.number} (head ${pr.headSha})`);
  const workspace = await StackWorkspace.open(inputs);
  const comments = new IssueComments(context.octokit, context.repository, pr.number);
  const dir = await scratchDir('odp-infra-apply');
  const outcomes: ApplyOutcome[] = [];
  for (const stack of await workspace.stacks()) {
    const name = planArtifactName(stack.name, pr.number);
    const bundle = await downloadPlanBundle(
      context.octokit,
      context.repository,
      inputs.githubToken,
      name,
      pr.headSha,
      dir,
      inputs.planEncryptionKey,
    );
    if (!bundle) {
      core.info(`Stack ${stack.name}: PR #${pr.number} has no plan for it (not affected), nothing to apply`);
      outcomes.push({ stack: stack.name, outcome: 'no-reviewed-plan', fingerprint: null });
      continue;
    }
    const reviewed = bundle.identity;
    const terraform = await workspace.prepare(stack);
    let planFile = bundle.planFile;
    let via: 'reviewed-plan' | 'same-fingerprint-replan' = 'reviewed-plan';
    if (!(await unmoved(terraform, stack, reviewed))) {
      planFile = `${dir}/${stack.name}.tfplan`;
      const replanned = (await workspace.plan(stack, terraform, planFile)).identity;
      if (replanned.fingerprint !== reviewed.fingerprint) {
        await setStatus(comments, stack.name, refusal(reviewed, replanned, context.runUrl));
        throw new Error(
          `stack ${stack.name}: the plan differs from the one reviewed in PR #${pr.number} ` +
            `(${reviewed.fingerprint} → ${replanned.fingerprint}); nothing was applied, the PR comment lists the differences`,
        );
      }
      via = 'same-fingerprint-replan';
      core.info(
        `Stack ${stack.name}: the state moved since the review, but a new plan has the reviewed fingerprint`,
      );
    }
    core.info(
      `Stack ${stack.name}: applying ${via === 'reviewed-plan' ? 'the reviewed plan file' : 'the re-plan'}`,
    );
    try {
      const mask = await workspace.secretMask(terraform, planFile, stack);
      core.info(mask.apply(await terraform.apply(planFile, inputs.lockTimeout)));
    } catch (error) {
      await setStatus(comments, stack.name, {
        kind: 'apply-failed',
        runUrl: context.runUrl,
        message: 'Terraform stopped with an error, see the run log.',
      });
      throw error;
    }
    await setStatus(comments, stack.name, { kind: 'applied', runUrl: context.runUrl, via });
    outcomes.push({ stack: stack.name, outcome: 'applied', fingerprint: reviewed.fingerprint, via });
  }
  return outcomes;
}

/** True when neither the state nor the configuration nor the provider lock moved since the plan was made. */
async function unmoved(terraform: Terraform, stack: Stack, reviewed: PlanIdentity): Promise<boolean> {
  return (
    sameState(await terraform.stateVersion(), reviewed.state) &&
    (await configHash(stack)) === reviewed.configHash &&
    (await lockHash(stack)) === reviewed.lockHash
  );
}

function refusal(reviewed: PlanIdentity, now: PlanIdentity, runUrl: string): PlanStatus {
  const differences = identityDifferences(reviewed, now);
  const inputsMoved = reviewed.configHash !== now.configHash || reviewed.lockHash !== now.lockHash;
  const reason =
    differences.length > 0
      ? `the plan changed since review (${differences.length} ${differences.length === 1 ? 'resource differs' : 'resources differ'}).`
      : inputsMoved
        ? 'the configuration or provider lock file changed since review, though the resource changes are the same.'
        : 'the plan changed since review.';
  return { kind: 'refused', runUrl, reason, differences };
}

/** Moves the status line of the stack's PR comment on; posts a short comment if the plan comment is gone. */
async function setStatus(comments: IssueComments, stack: string, status: PlanStatus): Promise<void> {
  const marker = commentMarker(stack);
  const comment = await comments.find(marker);
  if (comment) await comments.update(comment.id, replaceStatus(comment.body, status));
  else
    await comments.upsert(
      marker,
      replaceStatus(`${marker}\n### Infrastructure apply: \`${stack}\`\n${EMPTY_STATUS}`, status),
    );
}

const EMPTY_STATUS = renderStatus({ kind: 'planned' });
