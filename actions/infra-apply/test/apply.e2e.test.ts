import { fileURLToPath } from 'node:url';
import {
  actionEntry,
  type FixtureResource,
  FixtureStack,
  GitHubStandIn,
  pullRequestEvent,
  pushEvent,
  runAction,
  SECRET_ENV,
} from '@odp/actions-shared/testing';
import { expect } from 'chai';

const planEntry = await actionEntry(fileURLToPath(new URL('../../infra-plan', import.meta.url)));
const applyEntry = await actionEntry(fileURLToPath(new URL('..', import.meta.url)));
const SECRET = 'the-s3cret-token-value';
const HEAD = '1'.repeat(40);
const MERGE = 'a'.repeat(40);
const PR = 7;

const base: Record<string, FixtureResource> = {
  keep: { input: 'same' },
  resized: { input: 'v1' },
  rotated: { input: 'a', triggers_replace: ['r1'] },
  retired: { input: 'bye' },
};
const reviewed: Record<string, FixtureResource> = {
  keep: { input: 'same' },
  resized: { input: 'v2' },
  rotated: { input: 'a', triggers_replace: ['r2'] },
  added: { input: 'hello' },
};

describe('infra-apply, run as the runner runs the runs.main of its action.yml, after infra-plan', () => {
  let github: GitHubStandIn;
  let fixture: FixtureStack;

  const inputs = () => fixture.actionInputs();

  beforeEach(async () => {
    github = new GitHubStandIn();
    await github.start();
    fixture = await FixtureStack.create();
    await fixture.declare(base);
    await fixture.applyDirectly(SECRET);
    // The PR: its head declares `reviewed`, and infra-plan comments and uploads the plan.
    await fixture.declare(reviewed);
    github.registerRun('run-plan', { runId: 11, headSha: HEAD });
    const plan = await runAction({
      entry: planEntry,
      github,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: PR, headSha: HEAD, baseSha: 'b'.repeat(40), action: 'opened' }),
      sha: 'e'.repeat(40),
      runId: 11,
      runBackendId: 'run-plan',
      workspace: fixture.workDir,
      env: { [SECRET_ENV]: SECRET },
      inputs: inputs(),
    });
    expect(plan.exitCode, plan.log).to.equal(0);
    github.registerMerge({ number: PR, headSha: HEAD, mergeCommitSha: MERGE });
  });

  afterEach(async () => {
    await github.stop();
    await fixture.remove();
  });

  const apply = () =>
    runAction({
      entry: applyEntry,
      github,
      eventName: 'push',
      event: pushEvent({ before: 'b'.repeat(40), after: MERGE }),
      sha: MERGE,
      runId: 12,
      runBackendId: 'run-apply',
      workspace: fixture.workDir,
      env: { [SECRET_ENV]: SECRET },
      inputs: inputs(),
    });

  it('applies the reviewed plan file and marks the PR comment applied', async () => {
    const before = await fixture.state();
    const run = await apply();
    expect(run.exitCode, run.log).to.equal(0);
    expect(run.log).to.include('Stack app: applying the reviewed plan file');
    const [outcome] = JSON.parse(run.outputs.stacks ?? '[]') as Array<Record<string, unknown>>;
    expect(outcome).to.include({ stack: 'app', outcome: 'applied', via: 'reviewed-plan' });
    expect(outcome?.fingerprint).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs.applied).to.equal('app');
    const after = await fixture.state();
    expect(after.serial).to.be.greaterThan(before.serial);
    expect(after.inputs).to.include({
      'terraform_data.keep': 'same',
      'terraform_data.resized': 'v2',
      'terraform_data.added': 'hello',
    });
    expect(after.inputs).not.to.have.property('terraform_data.retired');
    const [comment] = github.commentsOn(PR);
    expect(comment?.body).to.include(
      '**Status:** ✅ applied in [this run](https://github.com/odp-example/platform/actions/runs/12) (the reviewed plan file).',
    );
    expect(comment?.body).to.include('**Plan:** 1 to add, 1 to change, 1 to destroy, 1 to replace');
    expect(github.commentsOn(PR)).to.have.length(1);
  });

  it('applies nothing and asks for a new review when the plan changed since review', async () => {
    // Someone changes `resized` outside this PR after the review: the same config now plans differently.
    const drifted = { ...base, resized: { input: 'v9' } };
    await fixture.declare(drifted);
    await fixture.applyDirectly(SECRET);
    await fixture.declare(reviewed);
    const before = await fixture.state();
    const run = await apply();
    expect(run.exitCode).to.equal(1);
    expect(run.log).to.include('stack app: the plan differs from the one reviewed in PR #7');
    const after = await fixture.state();
    expect(after).to.deep.equal(before);
    const body = github.commentsOn(PR)[0]?.body ?? '';
    expect(body).to.include(
      '**Status:** ⛔ not applied in [this run](https://github.com/odp-example/platform/actions/runs/12)',
    );
    expect(body).to.include('| `terraform_data.resized` | update | update |');
    expect(body).to.include(
      'Nothing was changed. Open a new PR (or re-run the plan) so the new plan gets reviewed.',
    );
  });

  it('applies when the state serial moved but a new plan has the reviewed fingerprint', async () => {
    await fixture.bumpSerial();
    const run = await apply();
    expect(run.exitCode, run.log).to.equal(0);
    expect(run.log).to.include(
      'the state moved since the review, but a new plan has the reviewed fingerprint',
    );
    expect((await fixture.state()).inputs).to.include({
      'terraform_data.resized': 'v2',
      'terraform_data.added': 'hello',
    });
    expect(github.commentsOn(PR)[0]?.body).to.include(
      '(state had moved; a new plan had the same fingerprint)',
    );
  });

  it('refuses a push that is not the merge of a reviewed PR', async () => {
    const run = await runAction({
      entry: applyEntry,
      github,
      eventName: 'push',
      event: pushEvent({ before: 'b'.repeat(40), after: 'c'.repeat(40) }),
      sha: 'c'.repeat(40),
      runId: 13,
      runBackendId: 'run-direct',
      workspace: fixture.workDir,
      inputs: inputs(),
    });
    expect(run.exitCode).to.equal(1);
    expect(run.log).to.include(`commit ${'c'.repeat(40)} is not the merge of a pull request`);
  });
});
