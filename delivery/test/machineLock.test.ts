import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { MachineLock } from '../../.ci/machineLock.js';
import { waitFor } from './processes.js';

/** A process that runs until it is killed, standing for another run holding the lock. */
function otherRun(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
}

/** The lock as a run left it: its folder, its owner's PID and what the owner kept there. */
async function leftBy(folder: string, pid: number, kept: Record<string, string> = {}): Promise<void> {
  await mkdir(folder);
  await writeFile(path.join(folder, 'pid'), String(pid));
  for (const [file, text] of Object.entries(kept)) await writeFile(path.join(folder, file), text);
}

const owner = (folder: string) => readFile(path.join(folder, 'pid'), 'utf8');

// The real node's lock and the installer's per-tool locks: one holder per machine, and a run that was killed
// never blocks the next one.
describe('A machine lock', () => {
  let dir: string;
  let folder: string;
  let other: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'odp-lock-'));
    folder = path.join(dir, 'lock');
  });
  afterEach(async () => {
    other?.kill();
    other = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('is taken over from a run that died holding it, after handing over what that run kept in it', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(dead, 'exit');
    await leftBy(folder, dead.pid!, { 'node.json': '{"dir":"/tmp/odp-node-dead"}' });
    const handed: string[] = [];
    const waited: number[] = [];
    const lock = await MachineLock.acquire(
      folder,
      10_000,
      (pid) => waited.push(pid),
      async (left) => {
        handed.push(await readFile(path.join(left, 'node.json'), 'utf8'));
      },
    );
    expect(waited, 'waited for a dead owner').to.deep.equal([]);
    expect(handed).to.deep.equal(['{"dir":"/tmp/odp-node-dead"}']);
    expect(await owner(folder)).to.equal(String(process.pid));
    expect(existsSync(path.join(folder, 'node.json')), 'the dead run’s record, once handled').to.equal(false);
    await lock.release();
    expect(existsSync(folder), 'released').to.equal(false);
  });

  it('waits for a living holder, naming it, and is taken once that holder has gone', async () => {
    other = otherRun();
    await leftBy(folder, other.pid!);
    const waited: number[] = [];
    const taken: string[] = [];
    const acquiring = MachineLock.acquire(
      folder,
      600_000,
      (pid) => waited.push(pid),
      async () => {
        taken.push('handed over');
      },
    );
    await waitFor('the second run to be told who holds the lock', async () => waited.length > 0, 30_000);
    expect(waited).to.deep.equal([other.pid]);
    expect(await owner(folder), 'the holder while it lives').to.equal(String(other.pid));
    other.kill();
    await once(other, 'exit');
    const lock = await acquiring;
    expect(await owner(folder)).to.equal(String(process.pid));
    expect(waited, 'told once').to.have.length(1);
    expect(taken).to.deep.equal(['handed over']);
    await lock.release();
  });

  it('gives up naming the holder when it still holds the lock after the time allowed', async () => {
    other = otherRun();
    await leftBy(folder, other.pid!);
    const failure = await MachineLock.acquire(folder, 0).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).to.equal(`${folder} is still held by process ${other.pid} after 0 s`);
    expect(await owner(folder)).to.equal(String(other.pid));
  });
});
