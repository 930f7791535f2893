import * as core from '@actions/core';
import { readStackInputs, runContext } from '@odp/actions-shared';
import { applyMergedPlan } from './applyMergedPlan.js';

export async function run(): Promise<void> {
  try {
    const inputs = readStackInputs();
    const outcomes = await applyMergedPlan(inputs, runContext(inputs.githubToken));
    core.setOutput('stacks', JSON.stringify(outcomes));
    core.setOutput(
      'applied',
      outcomes
        .filter((o) => o.outcome === 'applied')
        .map((o) => o.stack)
        .join(','),
    );
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
