import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The code that ran: the commit, and whether the work tree differed from it (earlier results aside). Read when a
 * benchmark starts, so a commit made while it runs is not taken for the code it measured.
 */
function code(): { commit: string; dirty: boolean; changed: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  let commit: string;
  try {
    commit = git('rev-parse', 'HEAD');
  } catch (error) {
    throw new Error(
      `a benchmark records the commit it measured, and git could not tell it in ${repoRoot}: ${String(error)}`,
    );
  }
  const changed = git(
    'status',
    '--porcelain',
    '--untracked-files=all',
    '--',
    '.',
    `:(exclude)${path.relative(repoRoot, resultsDir)}`,
  )
    .split('\n')
    .filter(Boolean);
  return { commit, dirty: changed.length > 0, changed: changed.slice(0, 50) };
}

/** Which machine a result was measured on: ratios travel between machines, absolute figures do not. */
function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** The variables that shape a process we measure: the service's settings, V8's and the allocator's. */
const SHAPING = /^(ODP_|NODE_OPTIONS$|UV_THREADPOOL_SIZE$|LD_PRELOAD$|MALLOC_)/;

/**
 * The settings a child process runs with (ours overlaid on the inherited environment), as a result records them.
 * ODP_ settings never hold secrets (the configuration refuses passwords and keys in them).
 */
export function shapingEnv(env: NodeJS.ProcessEnv = {}): Record<string, string> {
  const merged = { ...process.env, ...env };
  return Object.fromEntries(
    Object.entries(merged)
      .filter((entry): entry is [string, string] => SHAPING.test(entry[0]) && entry[1] !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** What a result file records of where it came from, captured when the benchmark starts. */
export interface Provenance {
  benchmark: string;
  startedAt: string;
  code: ReturnType<typeof code>;
  machine: ReturnType<typeof machine>;
  loadAverageAtStart: number[];
}

export function provenance(benchmark: string): Provenance {
  return {
    benchmark,
    startedAt: new Date().toISOString(),
    code: code(),
    machine: machine(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * Writes a run's results next to the benchmarks, as `<benchmark>-<time>.json`, with its provenance, the settings
 * that shaped it and the machine's load at its start and end (the machine may be shared); returns the file's path.
 */
export async function writeResults(
  from: Provenance,
  settings: Record<string, unknown>,
  results: Record<string, unknown>,
): Promise<string> {
  const at = new Date().toISOString();
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${from.benchmark}-${at.replace(/[:.]/g, '-')}.json`);
  const { loadAverageAtStart, ...rest } = from;
  const record = {
    ...rest,
    at,
    machine: {
      ...from.machine,
      loadAverage: { start: loadAverageAtStart, end: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    },
    settings,
    ...results,
  };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
