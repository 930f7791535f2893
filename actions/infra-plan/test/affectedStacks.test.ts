import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackInputs } from '@odp/actions-shared';
import { listStacks } from '@odp/actions-shared';
import { expect } from 'chai';
import { affectedStacks } from '../src/affectedStacks.js';

const run = promisify(execFile);

describe('affectedStacks', () => {
  let repo: string;
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
  const declare = async (stacks: Record<string, unknown>) => {
    for (const [name, config] of Object.entries(stacks)) {
      await writeFile(join(repo, 'app', `${name}.json`), JSON.stringify(config));
    }
  };

  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'odp-affected-'));
    await mkdir(join(repo, 'app'));
    // The "CDK app": copies each declared stack into out/stacks/<name>/cdk.tf.json, as cdktf synth writes it.
    await writeFile(
      join(repo, 'synth.sh'),
      'for f in app/*.json; do n=$(basename "$f" .json); mkdir -p "out/stacks/$n"; cp "$f" "out/stacks/$n/cdk.tf.json"; done\n',
    );
    await writeFile(join(repo, '.gitignore'), 'out/\n');
    await git('init', '-q', '-b', 'main');
  });

  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('plans only the stacks whose synthesized configuration differs from the base commit', async () => {
    await declare({
      bootstrap: { resource: { a: 1 } },
      platform: { resource: { b: 1 } },
      vpn: { resource: { c: 1 } },
    });
    await git('add', '.');
    await git('commit', '-q', '-m', 'base');
    const base = (await git('rev-parse', 'HEAD')).stdout.trim();
    await declare({ platform: { resource: { b: 2 } }, extra: { resource: { d: 1 } } });
    await run('sh', ['synth.sh'], { cwd: repo });
    const inputs = {
      workingDirectory: repo,
      synthCommand: 'sh synth.sh',
      stacksDir: join(repo, 'out/stacks'),
    } as StackInputs;
    const affected = await affectedStacks(await listStacks(inputs.stacksDir, []), inputs, base);
    expect(affected.map((s) => s.name)).to.deep.equal(['extra', 'platform']);
    expect((await git('worktree', 'list')).stdout.trim().split('\n')).to.have.length(1);
  });
});
