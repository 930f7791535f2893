import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A lock shared by every process of the machine: a folder holding its owner's PID. A second process waits for
 * the first to release it; a lock whose owner has died is taken over, so a killed run never blocks the next.
 */
export class MachineLock {
  private constructor(readonly folder: string) {}

  /**
   * Waits up to `timeoutMs` for the lock; `waiting` is told once who holds it. A lock left by a process that died
   * is handed to `takeOver` (its folder, with what its owner kept there) before it is taken.
   */
  static async acquire(
    folder: string,
    timeoutMs: number,
    waiting: (owner: number) => void = () => undefined,
    takeOver: (folder: string) => Promise<void> = async () => undefined,
  ): Promise<MachineLock> {
    await mkdir(path.dirname(folder), { recursive: true });
    const deadline = Date.now() + timeoutMs;
    let told = false;
    for (;;) {
      try {
        await mkdir(folder);
        await writeFile(path.join(folder, 'pid'), String(process.pid));
        return new MachineLock(folder);
      } catch {
        const owner = Number(await readFile(path.join(folder, 'pid'), 'utf8').catch(() => '0'));
        if (!alive(owner)) {
          // Gone, or between its mkdir and writing its PID: taken over only once it is certainly gone.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          if (!alive(Number(await readFile(path.join(folder, 'pid'), 'utf8').catch(() => '0')))) {
            await takeOver(folder);
            await rm(folder, { recursive: true, force: true });
          }
          continue;
        }
        if (Date.now() > deadline)
          throw new Error(`${folder} is still held by process ${owner} after ${timeoutMs / 1000} s`);
        if (!told) waiting(owner);
        told = true;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  }

  async release(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
