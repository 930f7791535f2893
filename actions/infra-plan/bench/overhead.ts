// How much the action adds to a bare `terraform init && terraform plan` on the fixture stack: it also
// synthesizes, validates, renders JSON and text, masks, comments and uploads the plan record. Both are
// measured in this run, interleaved, and compared as a ratio of medians.

import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  actionEntry,
  FIXTURE_CLI,
  FixtureStack,
  GitHubStandIn,
  pullRequestEvent,
  runAction,
  SECRET_ENV,
} from '@odp/actions-shared/testing';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '5');
const entry = await actionEntry(fileURLToPath(new URL('..', import.meta.url)));
const secret = 'bench-s3cret-token';

const github = new GitHubStandIn();
await github.start();
const fixture = await FixtureStack.create();
try {
  const resources = (version: string) =>
    Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `r${i}`,
        { input: `${version}-${i % 3 === 0 ? version : 'same'}` },
      ]),
    );
  await fixture.declare(resources('v1'));
  await fixture.applyDirectly(secret);
  await fixture.declare(resources('v2'));
  await run('sh', ['-c', fixture.synthCommand], { cwd: fixture.workDir });

  const env = { ...process.env, [SECRET_ENV]: secret, TF_IN_AUTOMATION: '1' };
  const bare = async () => {
    await rm(join(fixture.stackDir, '.terraform'), { recursive: true, force: true });
    const start = performance.now();
    await run(FIXTURE_CLI, ['init', '-input=false', '-no-color'], { cwd: fixture.stackDir, env });
    await run(FIXTURE_CLI, ['plan', '-input=false', '-no-color', '-out=bench.tfplan'], {
      cwd: fixture.stackDir,
      env,
    });
    return performance.now() - start;
  };
  const action = async (round: number) => {
    await rm(join(fixture.stackDir, '.terraform'), { recursive: true, force: true });
    github.registerRun(`bench-${round}`, { runId: 500 + round, headSha: 'f'.repeat(40) });
    const start = performance.now();
    const result = await runAction({
      entry,
      github,
      eventName: 'pull_request',
      event: pullRequestEvent({
        number: 9,
        headSha: 'f'.repeat(40),
        baseSha: 'b'.repeat(40),
        action: 'synchronize',
      }),
      sha: 'e'.repeat(40),
      runId: 500 + round,
      runBackendId: `bench-${round}`,
      workspace: fixture.workDir,
      env: { [SECRET_ENV]: secret },
      inputs: fixture.actionInputs(),
    });
    if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.log}`);
    return performance.now() - start;
  };

  await bare();
  await action(0); // warm-up: file cache, node's first start
  const bareTimes: number[] = [];
  const actionTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    bareTimes.push(await bare());
    actionTimes.push(await action(round));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const b = median(bareTimes);
  const a = median(actionTimes);
  console.log(`fixture: 21 terraform_data resources, 7 to change; ${FIXTURE_CLI}; ${ROUNDS} rounds, medians`);
  console.log(`bare ${FIXTURE_CLI} init + plan -out : ${b.toFixed(0)} ms`);
  console.log(`infra-plan action (bundled)        : ${a.toFixed(0)} ms`);
  console.log(`overhead: +${(a - b).toFixed(0)} ms, ratio action/bare = ${(a / b).toFixed(2)}`);
} finally {
  await github.stop();
  await fixture.remove();
}
