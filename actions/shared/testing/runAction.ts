import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { GitHubStandIn } from './GitHubStandIn.js';

export interface ActionRun {
  exitCode: number;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface RunSpec {
  /** The file the runner starts: see {@link actionEntry}. */
  entry: string;
  github: GitHubStandIn;
  inputs: Record<string, string>;
  eventName: 'pull_request' | 'push' | 'schedule';
  event: unknown;
  sha: string;
  runId: number;
  /** Backend id the artifact service knows this run by (see GitHubStandIn.registerRun). */
  runBackendId: string;
  workspace: string;
  /** Extra environment, e.g. `TF_VAR_*` that a workflow would set from secrets. */
  env?: Record<string, string>;
}

export const REPOSITORY = { owner: 'odp-example', repo: 'platform' };

/** The file the runner starts for the action in `actionDir`: its action.yml's `runs.main`, relative to that folder. */
export async function actionEntry(actionDir: string): Promise<string> {
  const metadata = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as { runs: { main: string } };
  return resolve(actionDir, metadata.runs.main);
}

/** Runs a bundled action the way the runner does: a node process configured only by environment and files. */
export async function runAction(spec: RunSpec): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'odp-action-run-'));
  const runnerTemp = join(dir, 'runner-temp');
  await mkdir(runnerTemp);
  const files = {
    event: join(dir, 'event.json'),
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
  };
  await writeFile(files.event, JSON.stringify(spec.event));
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  const inputs = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, value]) => [
      `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
      value,
    ]),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    ...(process.env.TF_CLI_CONFIG_FILE ? { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE } : {}),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: spec.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: `${REPOSITORY.owner}/${REPOSITORY.repo}`,
    GITHUB_REPOSITORY_OWNER: REPOSITORY.owner,
    GITHUB_SHA: spec.sha,
    GITHUB_REF:
      spec.eventName === 'pull_request' ? `refs/pull/${prNumber(spec.event)}/merge` : 'refs/heads/main',
    GITHUB_RUN_ID: String(spec.runId),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'infra',
    GITHUB_JOB: 'infra',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: spec.github.url,
    GITHUB_GRAPHQL_URL: `${spec.github.url}/graphql`,
    GITHUB_WORKSPACE: spec.workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ACTIONS_RESULTS_URL: `${spec.github.url}/`,
    ACTIONS_RUNTIME_TOKEN: runtimeToken(spec.runBackendId),
    ...spec.env,
    ...inputs,
  };
  const child = spawn(process.execPath, [spec.entry], {
    cwd: spec.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  try {
    return {
      exitCode,
      log,
      outputs: parseOutputs(await readFile(files.output, 'utf8')),
      summary: await readFile(files.summary, 'utf8'),
    };
  } finally {
    // RUNNER_TEMP held the plan files; the runner empties it after each job, and so do we.
    await rm(dir, { recursive: true, force: true });
  }
}

/** An unsigned token shaped like the runner's: the artifact client only reads its `scp` claim. */
function runtimeToken(runBackendId: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: `Actions.GenericRead Actions.Results:${runBackendId}:job-${runBackendId}` })}.stand-in`;
}

/** Parses the `name<<delimiter` records @actions/core writes to GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = lines[i]?.match(/^([^<]+)<<(.+)$/);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name ?? ''] = value.join('\n');
  }
  return outputs;
}

function prNumber(event: unknown): number {
  return (event as { number: number }).number;
}
