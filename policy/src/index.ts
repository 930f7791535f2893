// The environment's hard policies as pure functions over Terraform resources, read either from
// synthesized stacks (tests) or from plans (the infra-plan action), so both gates apply the same rules.
export { checkDeploymentPolicies, checkPolicies } from './checkPolicies.js';
export { LANGUAGE_MODEL_CALLER, REQUIRED_LOCATION, REQUIRED_RESOURCE_GROUP } from './environment.js';
export {
  GITHUB_ISSUER,
  type Grant,
  githubTrustKind,
  type IdentityGrants,
  identityGrants,
  type Trust,
  type TrustKind,
} from './identities/identityGrants.js';
export type { Finding, ResourceView } from './ResourceView.js';
export { resourcesFromPlan } from './resourcesFromPlan.js';
export { resourcesFromSynth } from './resourcesFromSynth.js';
export { permissionsBeyondReading } from './roles/beyondReading.js';
export { builtInRole, builtInRoles, type RoleDefinition } from './roles/builtInRoles.js';
