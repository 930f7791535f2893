import { execFile } from 'node:child_process';
import { mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { readingsBatch, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

const exec = promisify(execFile);
/** Mounting needs root; elsewhere (a CI runner's user) passwordless sudo does it. */
const privileged = (command: string, args: string[]) =>
  process.getuid?.() === 0 ? exec(command, args) : exec('sudo', ['-n', command, ...args]);

const ROWS = 100_000;
const batch = (v: number) => readingsBatch(ROWS, v);

describe('the data folder’s disk full', function () {
  this.timeout(180_000);
  let sandbox: Sandbox;
  let data: string;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    data = path.join(sandbox.dir, 'data');
    await mkdir(data);
    // A disk of its own for the data folder (catalog, lake files, increments), small enough to fill.
    await privileged('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'odp-test-disk', data]);
  });
  after(async () => {
    sandbox?.runtime?.close();
    if (sandbox) sandbox.runtime = undefined;
    await privileged('umount', [data]).catch(() => undefined);
    await sandbox?.close();
  });

  it('fails the run with the reason and commits nothing of it; once space is freed the next run stores it once', async () => {
    await sandbox.write('readings.ndjson', batch(1));
    expect((await sandbox.ingest('readings')).status).to.equal('succeeded');

    // Fill the disk but for 1 MiB: the next batch's increment alone is about 6 MB.
    const { bavail, bsize } = await statfs(data);
    const filler = path.join(data, 'filler');
    await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - 2 ** 20)));
    await sandbox.write('readings.ndjson', batch(2));
    const failed = await sandbox.ingest('readings');
    expect(failed.status).to.equal('failed');
    expect(failed.error).to.match(/no space left on device|ENOSPC/i);
    console.log(`      the failed run says: ${failed.error}`);

    const stored = () =>
      sandbox.query<{ v: number; n: string }>('SELECT v, count(*) AS n FROM lake.main.readings GROUP BY v');
    expect(await stored(), 'nothing of the failed batch is visible').to.deep.equal([
      { v: 1, n: String(ROWS) },
    ]);
    const [recorded] = await sandbox.query<{ status: string; error: string }>(
      "SELECT status, error FROM lake.odp.runs WHERE dataset = 'readings' ORDER BY started_at DESC LIMIT 1",
    );
    expect(recorded).to.deep.equal({ status: 'failed', error: failed.error });

    await rm(filler);
    const next = await sandbox.ingest('readings');
    expect(next.status, next.error ?? '').to.equal('succeeded');
    expect(next.updated).to.equal(ROWS);
    expect(await stored()).to.deep.equal([{ v: 2, n: String(ROWS) }]);
  });
});
