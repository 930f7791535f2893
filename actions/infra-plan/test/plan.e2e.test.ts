import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  actionEntry,
  FIXTURE_CLI,
  FixtureStack,
  GitHubStandIn,
  pullRequestEvent,
  runAction,
  SECRET_ENV,
  STACK,
} from '@odp/actions-shared/testing';
import { expect } from 'chai';

const entry = await actionEntry(fileURLToPath(new URL('..', import.meta.url)));
const BASE_SECRET = 'old-s3cret-token-value';
const HEAD_SECRET = 'n3w-s3cret-token-value';

describe('infra-plan, run as the runner runs the runs.main of its action.yml', () => {
  let github: GitHubStandIn;
  let fixture: FixtureStack;
  let runId = 100;

  beforeEach(async () => {
    github = new GitHubStandIn();
    await github.start();
    fixture = await FixtureStack.create();
    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v1' },
      rotated: { input: 'a', triggers_replace: ['r1'] },
      retired: { input: 'bye' },
    });
    await fixture.applyDirectly(BASE_SECRET);
  });

  afterEach(async () => {
    await github.stop();
    await fixture.remove();
  });

  const plan = async (
    headSha: string,
    action: 'opened' | 'synchronize',
    extra: Record<string, string> = {},
  ) => {
    runId++;
    github.registerRun(`run-${runId}`, { runId, headSha });
    return runAction({
      entry,
      github,
      eventName: 'pull_request',
      event: pullRequestEvent({ number: 7, headSha, baseSha: 'b'.repeat(40), action }),
      sha: 'e'.repeat(40),
      runId,
      runBackendId: `run-${runId}`,
      workspace: fixture.workDir,
      env: { [SECRET_ENV]: HEAD_SECRET },
      inputs: { ...fixture.actionInputs(), ...extra },
    });
  };

  it('comments the plan once per stack and updates that comment on the next push', async () => {
    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v2' },
      rotated: { input: 'a', triggers_replace: ['r2'] },
      added: { input: 'hello' },
    });
    const first = await plan('1'.repeat(40), 'opened');
    expect(first.exitCode, first.log).to.equal(0);
    expect(first.outputs).to.include({
      'to-add': '1',
      'to-change': '2',
      'to-destroy': '1',
      'to-replace': '1',
      'has-changes': 'true',
    });
    const [comment, ...others] = github.commentsOn(7);
    expect(others).to.have.length(0);
    const body = comment?.body ?? '';
    expect(body).to.match(/^<!-- odp:infra-plan stack=app -->/);
    expect(body).to.include(
      '**Plan:** 1 to add, 2 to change, 1 to destroy, 1 to replace, 0 to move, 0 to import',
    );
    expect(body).to.include('| `terraform_data.retired` | destroy | removed from the configuration |');
    expect(body).to.include(
      '| `terraform_data.rotated` | replace | an attribute cannot be changed in place (`triggers_replace`) |',
    );
    expect(body).to.include('- `terraform_data.resized`: `input`, `output`');
    expect(body).to.include('Status:** 🟡 planned');
    expect(body).to.match(/\*\*Fingerprint:\*\* `sha256:[0-9a-f]{64}` \(state serial \d+\)/);
    expect(body.indexOf('will be destroyed or replaced')).to.be.lessThan(
      body.indexOf('<summary>Create (1)</summary>'),
    );
    expect(body.indexOf('<summary>Create (1)</summary>')).to.be.lessThan(
      body.indexOf('<summary>Full plan</summary>'),
    );
    expect(body).to.include('# terraform_data.added will be created');
    // The sensitive token changes, and terraform_data.secret's non-sensitive `output` echoes the old one.
    expect(body).not.to.include(BASE_SECRET);
    expect(body).not.to.include(HEAD_SECRET);
    expect(first.summary).not.to.include(BASE_SECRET);
    // The runner hides registered secrets from the log; the action registers them with ::add-mask::.
    expect(first.log).to.include(`::add-mask::${BASE_SECRET}`);
    expect(first.log.replaceAll(`::add-mask::${BASE_SECRET}`, '')).not.to.include(BASE_SECRET);
    expect(first.summary).to.include('### Infrastructure plan: `app`');
    expect(github.artifactNames()).to.deep.equal([`infra-plan-${STACK}-pr7`]);

    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v3' },
      rotated: { input: 'a', triggers_replace: ['r1'] },
    });
    const second = await plan('2'.repeat(40), 'synchronize');
    expect(second.exitCode, second.log).to.equal(0);
    const after = github.commentsOn(7);
    expect(after).to.have.length(1);
    expect(after[0]?.id).to.equal(comment?.id);
    expect(after[0]?.body).to.include('**Plan:** 0 to add, 2 to change, 1 to destroy, 0 to replace');
    const posts = github.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/issues/7/comments'));
    const patches = github.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/issues/comments/'));
    expect(posts).to.have.length(1);
    expect(patches).to.have.length(1);
  });

  it('cuts a plan larger than a comment can hold and keeps all of it in the job summary', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`bulk_${i}`, { input: `${'x'.repeat(200)}-${i}` }]),
    );
    await fixture.declare({ keep: { input: 'same' }, ...many });
    const run = await plan('3'.repeat(40), 'opened');
    expect(run.exitCode, run.log).to.equal(0);
    const body = github.commentsOn(7)[0]?.body ?? '';
    expect(body.length).to.be.at.most(65_536);
    expect(body.length).to.be.greaterThan(60_000);
    expect(body).to.match(/Plan text cut after \d+ of \d+ lines to fit GitHub's comment limit/);
    expect(body).to.include('artifact `infra-plan-app-pr7`');
    expect(body).not.to.include('# terraform_data.bulk_99 will be created');
    expect(run.summary).to.include('# terraform_data.bulk_99 will be created');
    expect(run.outputs['to-add']).to.equal('300');
  });

  it('fails with the synth error when the synth command fails', async () => {
    const run = await runAction({
      entry,
      github,
      eventName: 'pull_request',
      event: pullRequestEvent({
        number: 7,
        headSha: '4'.repeat(40),
        baseSha: 'b'.repeat(40),
        action: 'opened',
      }),
      sha: 'e'.repeat(40),
      runId: 1,
      runBackendId: 'run-1',
      workspace: fixture.workDir,
      inputs: {
        ...fixture.actionInputs(),
        'synth-command': 'echo "stack platform: bad location" >&2; exit 3',
      },
    });
    expect(run.exitCode).to.equal(1);
    expect(run.log).to.include('synth-command `echo');
    expect(run.log).to.include('failed (exit 3)');
    expect(run.log).to.include('stack platform: bad location');
    expect(github.commentsOn(7)).to.have.length(0);
  });

  it('keeps one drift issue per stack: opened while it drifts, updated, closed once it matches', async () => {
    const drift = () =>
      runAction({
        entry,
        github,
        eventName: 'schedule',
        event: { schedule: '17 5 * * *', repository: { full_name: 'odp-example/platform' } },
        sha: 'd'.repeat(40),
        runId: ++runId,
        runBackendId: `run-${runId}`,
        workspace: fixture.workDir,
        env: { [SECRET_ENV]: BASE_SECRET },
        inputs: { ...fixture.actionInputs(), report: 'drift-issue' },
      });
    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v5' },
      rotated: { input: 'a', triggers_replace: ['r1'] },
      retired: { input: 'bye' },
    });
    const first = await drift();
    expect(first.exitCode, first.log).to.equal(0);
    expect(first.outputs['has-changes']).to.equal('true');
    expect(github.issues).to.have.length(1);
    const [issue] = github.issues;
    expect(issue).to.include({ title: 'Infrastructure drift in stack app', state: 'open' });
    expect(issue?.labels).to.deep.equal(['infra-drift']);
    expect(issue?.body).to.include('<!-- odp:drift stack=app -->');
    expect(issue?.body).to.include('- `terraform_data.resized`: `input`, `output`');

    expect((await drift()).exitCode).to.equal(0);
    expect(github.issues).to.have.length(1);

    await fixture.applyDirectly(BASE_SECRET);
    const fixed = await drift();
    expect(fixed.exitCode, fixed.log).to.equal(0);
    expect(fixed.outputs['has-changes']).to.equal('false');
    expect(github.issues).to.have.length(1);
    expect(github.issues[0]?.state).to.equal('closed');
    expect(github.commentsOn(issue?.number ?? 0)[0]?.body).to.include('No drift any more in stack `app`');
  });

  it('plans only stacks the PR changes against its base, and retires the comment of one it stops changing', async () => {
    const base = await fixture.commit('main');
    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v2' },
      rotated: { input: 'a', triggers_replace: ['r1'] },
      retired: { input: 'bye' },
    });
    const head = await fixture.commit('resize');
    const changed = await plan(head, 'opened', { 'base-ref': base });
    expect(changed.exitCode, changed.log).to.equal(0);
    expect(changed.log).to.include('Stacks to plan: app');
    expect(github.commentsOn(7)[0]?.body).to.include('- `terraform_data.resized`: `input`, `output`');

    await fixture.declare({
      keep: { input: 'same' },
      resized: { input: 'v1' },
      rotated: { input: 'a', triggers_replace: ['r1'] },
      retired: { input: 'bye' },
    });
    const reverted = await plan(await fixture.commit('revert'), 'synchronize', { 'base-ref': base });
    expect(reverted.exitCode, reverted.log).to.equal(0);
    expect(reverted.log).to.include('Stacks to plan: none (no stack changed)');
    expect(reverted.outputs.stacks).to.equal('[]');
    const [comment] = github.commentsOn(7);
    expect(comment?.body).to.include('**Status:** ⚪ the PR no longer changes this stack');
    expect(github.commentsOn(7)).to.have.length(1);
  });

  it('writes its own comment beside one someone else planted with its marker', async () => {
    const planted = github.commentAs(
      7,
      'mallory',
      '<!-- odp:infra-plan stack=app -->\n**Fingerprint:** `forged`',
    );
    await fixture.declare({ keep: { input: 'same' }, resized: { input: 'v2' } });
    const run = await plan('5'.repeat(40), 'opened');
    expect(run.exitCode, run.log).to.equal(0);
    const [mallorys, bots, ...others] = github.commentsOn(7);
    expect(others).to.have.length(0);
    expect(mallorys).to.deep.equal(planted);
    expect(bots?.author).to.equal('github-actions[bot]');
    expect(bots?.body).to.match(/^<!-- odp:infra-plan stack=app -->/);
  });

  it('never takes the state lock, so a read-only identity can plan while an apply holds it', async () => {
    await fixture.declare({ keep: { input: 'same' }, resized: { input: 'v2' } });
    await fixture.state(); // synthesized and initialized, as the apply below needs
    // An apply waiting at its confirmation prompt holds the lock.
    const holder = spawn(FIXTURE_CLI, ['apply', '-input=true', '-no-color'], {
      cwd: fixture.stackDir,
      env: { ...process.env, [SECRET_ENV]: HEAD_SECRET, TF_IN_AUTOMATION: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => holder.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        holder.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (output.includes('Enter a value:')) resolve();
        });
        holder.on('close', (code) =>
          reject(new Error(`the apply holding the lock exited ${code}:\n${output}`)),
        );
      });
      const run = await plan('6'.repeat(40), 'opened', { 'lock-timeout': '1s' });
      expect(run.exitCode, run.log).to.equal(0);
      expect(github.commentsOn(7)[0]?.body).to.include('- `terraform_data.resized`: `input`, `output`');
    } finally {
      holder.stdin.end('no\n');
      await exited;
    }
  });
});
