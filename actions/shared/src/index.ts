export { AZURE_AUDIENCE, decodeClaims, defaultSubject, explainRejectedToken } from './AzureOidc.js';
export { DriftIssues, driftMarker } from './github/DriftIssues.js';
export { type RunContext, runContext } from './github/GitHub.js';
export { IssueComments, WORKFLOW_BOT } from './github/IssueComments.js';
export { downloadPlanIdentity, planArtifactName, uploadPlanArtifact } from './PlanArtifact.js';
export { canonicalJson } from './plan/canonicalJson.js';
export {
  identityDifferences,
  type PlanIdentity,
  planIdentity,
  type ResourceDifference,
  type StateVersion,
} from './plan/PlanIdentity.js';
export { type PlanJson, parsePlanJson } from './plan/PlanJson.js';
export { type PlanCounts, type PlanSummary, summarizePlan } from './plan/PlanSummary.js';
export { type PlanStatus, renderStatus, replaceStatus, statusKind } from './render/PlanStatus.js';
export {
  COMMENT_LIMIT,
  commentMarker,
  fingerprintIn,
  renderPlanComment,
  type StackPlan,
  SUMMARY_LIMIT,
} from './render/renderPlanComment.js';
export { SecretMask } from './SecretMask.js';
export { readStackInputs, type StackInputs } from './StackInputs.js';
export { type StackResult, stackResult } from './StackResult.js';
export { type PlannedStack, StackWorkspace } from './StackWorkspace.js';
export { scratchDir } from './scratchDir.js';
export { configHash, listStacks, lockHash, type Stack } from './terraform/Stack.js';
export { Terraform } from './terraform/Terraform.js';
