import { checkPolicies, type Finding, resourcesFromPlan } from '@odp/policy';

export type { Finding };

/** The infra policy tests' own rules, run on the plan JSON, so a PR shows exactly what those tests forbid. */
export function policyFindings(planJson: unknown): Finding[] {
  return checkPolicies(resourcesFromPlan(planJson));
}
