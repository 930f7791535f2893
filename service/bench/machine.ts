import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which machine a result was measured on: ratios travel between machines, absolute figures do not. */
export function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));

/** Writes a run's results next to the benchmarks, as `<benchmark>-<time>.json`; returns the file's path. */
export async function writeResults(results: { benchmark: string; at: string }): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${results.benchmark}-${results.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
