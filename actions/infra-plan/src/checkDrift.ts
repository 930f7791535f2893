import * as core from '@actions/core';
import {
  COMMENT_LIMIT,
  DriftIssues,
  driftMarker,
  type RunContext,
  renderPlanComment,
  type StackInputs,
  type StackResult,
  StackWorkspace,
  scratchDir,
  stackResult,
} from '@odp/actions-shared';

/**
 * Plans every stack of the default branch with `-detailed-exitcode` and keeps one drift issue per stack:
 * opened (or reopened) with the plan while the live infrastructure differs, closed once it matches again.
 */
export async function checkDrift(inputs: StackInputs, context: RunContext): Promise<StackResult[]> {
  const workspace = await StackWorkspace.open(inputs);
  const issues = new DriftIssues(context.octokit, context.repository);
  const dir = await scratchDir('odp-infra-drift');
  const results: StackResult[] = [];
  for (const stack of await workspace.stacks()) {
    const terraform = await workspace.prepare(stack);
    const planned = await workspace.plan(stack, terraform, `${dir}/${stack.name}.tfplan`, {
      detailedExitcode: true,
    });
    const plan = await workspace.describe(planned, context.runUrl, 'none (drift check)');
    const body = `${driftMarker(stack.name)}\n${renderPlanComment(plan, { kind: 'drifted', runUrl: context.runUrl }, COMMENT_LIMIT - 100)}`;
    const outcome = await issues.report(stack.name, planned.summary.hasChanges, body, context.runUrl);
    core.info(`Stack ${stack.name}: ${outcome}`);
    results.push(stackResult(planned));
  }
  return results;
}
