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
// What a pull request run could plan and upload instead of what its comment shows: it drops `keep`.
const tampered: Record<string, FixtureResource> = {
  resized: { input: 'v2' },
  rotated: { input: 'a', triggers_replace: ['r2'] },
  added: { input: 'pwned' },
};

describe('infra-apply, run as the runner runs the runs.main of its action.yml, after infra-plan', () => {
  let github: GitHubStandIn;
  let fixture: FixtureStack;
  let planRuns = 10;

  const inputs = () => fixture.actionInputs();
  const planPullRequest = async () => {
    planRuns++;
    github.registerRun(`run-plan-${planRuns}`, { runId: planRuns, headSha: HEAD });
    const plan = await runAction({
      entry: planEntry,
      github,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: PR, headSha: HEAD, baseSha: 'b'.repeat(40), action: 'opened' }),
      sha: 'e'.repeat(40),
      runId: planRuns,
      runBackendId: `run-plan-${planRuns}`,
      workspace: fixture.workDir,
      env: { [SECRET_ENV]: SECRET },
      inputs: inputs(),
    });
    expect(plan.exitCode, plan.log).to.equal(0);
  };
  const planComment = () => {
    const [comment, ...others] = github.commentsOn(PR);
    expect(others, 'one plan comment').to.have.length(0);
    return comment!;
  };

  beforeEach(async () => {
    github = new GitHubStandIn();
    await github.start();
    fixture = await FixtureStack.create();
    await fixture.declare(base);
    await fixture.applyDirectly(SECRET);
    // The PR: its head declares `reviewed`, and infra-plan comments its plan.
    await fixture.declare(reviewed);
    await planPullRequest();
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

  it('plans the merged commit itself and applies that plan when it has the reviewed fingerprint', async () => {
    const before = await fixture.state();
    const reviewedFingerprint = /`(sha256:[0-9a-f]{64})`/.exec(planComment().body)?.[1];
    const run = await apply();
    expect(run.exitCode, run.log).to.equal(0);
    expect(run.log).to.include(
      `Stack app: this run's plan has the reviewed fingerprint ${reviewedFingerprint}`,
    );
    const [outcome] = JSON.parse(run.outputs.stacks ?? '[]') as Array<Record<string, unknown>>;
    expect(outcome).to.deep.equal({ stack: 'app', outcome: 'applied', fingerprint: reviewedFingerprint });
    expect(run.outputs.applied).to.equal('app');
    const after = await fixture.state();
    expect(after.serial).to.be.greaterThan(before.serial);
    expect(after.inputs).to.include({
      'terraform_data.keep': 'same',
      'terraform_data.resized': 'v2',
      'terraform_data.added': 'hello',
    });
    expect(after.inputs).not.to.have.property('terraform_data.retired');
    const { body } = planComment();
    expect(body).to.include(
      '**Status:** ✅ applied in [this run](https://github.com/odp-example/platform/actions/runs/12): its own plan of the merged commit had the reviewed fingerprint.',
    );
    expect(body).to.include('**Plan:** 1 to add, 1 to change, 1 to destroy, 1 to replace');
  });

  it('applies when the state serial moved but the plan is still the reviewed one', async () => {
    await fixture.bumpSerial();
    const run = await apply();
    expect(run.exitCode, run.log).to.equal(0);
    expect((await fixture.state()).inputs).to.include({
      'terraform_data.resized': 'v2',
      'terraform_data.added': 'hello',
    });
  });

  it('applies nothing and asks for a new review when the plan changed since review', async () => {
    // Someone changes `resized` outside this PR after the review: the same config now plans differently.
    await fixture.declare({ ...base, resized: { input: 'v9' } });
    await fixture.applyDirectly(SECRET);
    await fixture.declare(reviewed);
    const before = await fixture.state();
    const run = await apply();
    expect(run.exitCode).to.equal(1);
    expect(run.log).to.include(
      'stack app: the plan of the merged commit differs from the one reviewed in PR #7',
    );
    expect(await fixture.state()).to.deep.equal(before);
    const { body } = planComment();
    expect(body).to.include(
      '**Status:** ⛔ not applied in [this run](https://github.com/odp-example/platform/actions/runs/12): the plan changed since review (1 resource differs).',
    );
    expect(body).to.include('| `terraform_data.resized` | update | update |');
    expect(body).to.include(
      'Nothing was changed. Open a new PR (or re-run the plan) so the new plan gets reviewed.',
    );
  });

  it('never applies what a pull request run uploaded: a tampered artifact changes nothing', async () => {
    // The PR's code plans and uploads something else, then puts the reviewed comment back in place.
    const shown = planComment().body;
    await fixture.declare(tampered);
    await planPullRequest();
    expect(planComment().body).not.to.equal(shown);
    planComment().body = shown;
    await fixture.declare(reviewed); // the merged commit is what reviewers saw
    const run = await apply();
    expect(run.exitCode, run.log).to.equal(0);
    expect((await fixture.state()).inputs).to.include({
      'terraform_data.keep': 'same',
      'terraform_data.added': 'hello',
    });
  });

  it('refuses a merged commit whose plan differs from the reviewed comment', async () => {
    const before = await fixture.state();
    await fixture.declare(tampered); // the comment shows `reviewed`; the merge would apply `tampered`
    const run = await apply();
    expect(run.exitCode).to.equal(1);
    expect(run.log).to.include('differs from the one reviewed in PR #7');
    expect(await fixture.state()).to.deep.equal(before);
    expect(planComment().body).to.include('| `terraform_data.keep` | (none) | delete |');
  });

  it('counts only plan comments the workflow bot wrote, whatever marker another comment carries', async () => {
    const before = await fixture.state();
    const bots = planComment();
    // A comment copied word for word by someone else, with the fingerprint the merge's plan really has.
    const planted = github.commentAs(PR, 'mallory', bots.body);
    const plantedBody = planted.body;
    // The bot's own comment shows another fingerprint, so the bot's word and the planted one disagree.
    bots.body = bots.body.replace(/`sha256:[0-9a-f]{64}`/, `\`sha256:${'0'.repeat(64)}\``);
    const refused = await apply();
    expect(refused.exitCode).to.equal(1);
    expect(refused.log).to.include(`(sha256:${'0'.repeat(64)} →`);
    expect(bots.body).to.include('**Status:** ⛔ not applied');
    expect(planted.body, 'the planted comment is left alone').to.equal(plantedBody);

    // Without a comment by the bot there is no reviewed plan at all, planted comments notwithstanding.
    github.comments.set(PR, [planted]);
    const skipped = await apply();
    expect(skipped.exitCode, skipped.log).to.equal(0);
    expect(JSON.parse(skipped.outputs.stacks ?? '[]')).to.deep.equal([
      { stack: 'app', outcome: 'no-reviewed-plan', fingerprint: null },
    ]);
    expect(skipped.log).to.include('has no plan comment by github-actions[bot] that changes it');
    expect(await fixture.state()).to.deep.equal(before);
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
