export { staleDistFiles } from './distFreshness.js';
export { pullRequestEvent, pushEvent } from './events.js';
export { FIXTURE_CLI, type FixtureResource, FixtureStack, SECRET_ENV, STACK } from './FixtureStack.js';
export { GitHubStandIn, type StoredComment, WORKFLOW_TOKEN } from './GitHubStandIn.js';
export { type ActionRun, actionEntry, REPOSITORY, type RunSpec, runAction } from './runAction.js';
