import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the runner's temp dir (emptied by the runner after each job). */
export async function scratchDir(prefix: string): Promise<string> {
  const base = process.env.RUNNER_TEMP || tmpdir();
  await mkdir(base, { recursive: true });
  return mkdtemp(join(base, `${prefix}-`));
}
