import * as core from '@actions/core';
import {
  COMMENT_LIMIT,
  commentMarker,
  IssueComments,
  planArtifactName,
  type RunContext,
  renderPlanComment,
  replaceStatus,
  type StackInputs,
  type StackResult,
  StackWorkspace,
  SUMMARY_LIMIT,
  scratchDir,
  stackResult,
  uploadPlanArtifact,
} from '@odp/actions-shared';
import { affectedStacks } from './affectedStacks.js';

/**
 * Plans every affected stack of a pull request and shows each plan in its own PR comment, updated in place
 * on every push. The comment's fingerprint is what infra-apply later compares its own plan with; the
 * artifact keeps the plan's identity and text for the record.
 */
export async function planPullRequest(
  inputs: StackInputs,
  context: RunContext,
  baseRef: string,
): Promise<StackResult[]> {
  const pullRequest = context.payload.pull_request;
  if (!pullRequest) {
    throw new Error(
      `report pull-request needs a pull_request event, this run is a ${context.eventName} event`,
    );
  }
  const workspace = await StackWorkspace.open(inputs);
  const all = await workspace.stacks();
  const stacks = baseRef ? await affectedStacks(all, inputs, baseRef) : all;
  core.info(`Stacks to plan: ${stacks.map((s) => s.name).join(', ') || 'none (no stack changed)'}`);
  const comments = new IssueComments(
    context.octokit,
    context.repository,
    pullRequest.number,
    inputs.commentAuthor,
  );
  for (const stack of all.filter((s) => !stacks.includes(s))) {
    // An earlier push changed this stack, this one does not: its old plan must not look pending.
    const stale = await comments.find(commentMarker(stack.name));
    if (stale)
      await comments.update(
        stale.id,
        replaceStatus(stale.body, { kind: 'unaffected', runUrl: context.runUrl }),
      );
  }
  const dir = await scratchDir('odp-infra-plan');
  const results: StackResult[] = [];
  for (const stack of stacks) {
    const terraform = await workspace.prepare(stack);
    const planned = await workspace.plan(stack, terraform, `${dir}/${stack.name}.tfplan`);
    const artifactName = planArtifactName(stack.name, pullRequest.number);
    const plan = await workspace.describe(planned, context.runUrl, artifactName);
    core.startGroup(`Plan of stack ${stack.name}`);
    core.info(plan.planText);
    core.endGroup();
    const comment = await comments.upsert(
      commentMarker(stack.name),
      renderPlanComment(plan, { kind: 'planned' }, COMMENT_LIMIT),
    );
    core.info(
      `${comment.created ? 'Posted' : 'Updated'} the plan comment for stack ${stack.name} (${comment.id})`,
    );
    await core.summary
      .addRaw(renderPlanComment(plan, { kind: 'planned' }, Math.floor(SUMMARY_LIMIT / stacks.length)))
      .write();
    await uploadPlanArtifact(artifactName, dir, { identity: planned.identity, planText: plan.planText });
    results.push(stackResult(planned));
  }
  return results;
}
