import * as core from '@actions/core';
import { readStackInputs, runContext } from '@odp/actions-shared';
import { checkDrift } from './checkDrift.js';
import { planPullRequest } from './planPullRequest.js';

export async function run(): Promise<void> {
  try {
    const inputs = readStackInputs();
    const context = runContext(inputs.githubToken);
    const report = core.getInput('report') || 'pull-request';
    if (report !== 'pull-request' && report !== 'drift-issue') {
      throw new Error(`input report must be pull-request or drift-issue, not ${report}`);
    }
    const results =
      report === 'pull-request'
        ? await planPullRequest(inputs, context, core.getInput('base-ref'))
        : await checkDrift(inputs, context);
    const total = (pick: (r: (typeof results)[number]) => number) => results.reduce((n, r) => n + pick(r), 0);
    core.setOutput('stacks', JSON.stringify(results));
    core.setOutput('has-changes', String(results.some((r) => r.hasChanges)));
    core.setOutput('to-add', String(total((r) => r.counts.add)));
    core.setOutput('to-change', String(total((r) => r.counts.change)));
    core.setOutput('to-destroy', String(total((r) => r.counts.destroy)));
    core.setOutput('to-replace', String(total((r) => r.counts.replace)));
    core.setOutput('to-move', String(total((r) => r.counts.move)));
    core.setOutput('to-import', String(total((r) => r.counts.import)));
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
