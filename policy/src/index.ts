// The environment's hard policies as pure functions over Terraform resources, read either from
// synthesized stacks (tests) or from plans (the infra-plan action), so both gates apply the same rules.
export { checkDeploymentPolicies, checkPolicies } from './checkPolicies.js';
export { REQUIRED_LOCATION, REQUIRED_RESOURCE_GROUP } from './environment.js';
export type { Finding, ResourceView } from './ResourceView.js';
export { resourcesFromPlan } from './resourcesFromPlan.js';
export { resourcesFromSynth } from './resourcesFromSynth.js';
