import type { PlanCounts } from './plan/PlanSummary.js';
import type { PlannedStack } from './StackWorkspace.js';

/** One stack's line in the `stacks` output (JSON), for later workflow steps. */
export interface StackResult {
  stack: string;
  fingerprint: string;
  hasChanges: boolean;
  counts: PlanCounts;
  policyFindings: number;
}

export function stackResult(planned: PlannedStack): StackResult {
  return {
    stack: planned.stack.name,
    fingerprint: planned.identity.fingerprint,
    hasChanges: planned.summary.hasChanges,
    counts: planned.summary.counts,
    policyFindings: planned.findings.length,
  };
}
