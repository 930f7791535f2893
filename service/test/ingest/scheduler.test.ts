import { copyFile, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { maintainLake } from '../../src/lake/maintain.js';
import { startScheduler } from '../../src/scheduler.js';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe('serve runs every dataset on its schedule, and keeps the lake tidy', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  const runs = () =>
    sandbox.query<{ trigger: string; status: string }>(
      'SELECT trigger, status FROM lake.odp.runs ORDER BY started_at',
    );

  it('catches up a never-ingested dataset at start, then ingests on each tick, and stops cleanly', async () => {
    // Every second (croner's six-field form), so the test sees several ticks.
    await sandbox.write('readings.yaml', readingsDataset().replace('*/5 * * * *', '* * * * * *'));
    await sandbox.write('readings.ndjson', ndjson([{ id: 'a', v: 1, value: 1 }]));
    const runtime = await sandbox.open();
    const scheduler = await startScheduler(runtime);
    // Until three runs are recorded (the catch-up and two ticks at least), however slowly the machine goes.
    for (const deadline = Date.now() + 60_000; (await runs()).length < 3; ) {
      expect(Date.now(), 'three runs within a minute').to.be.below(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await scheduler.stop();
    const seen = await runs();
    expect(seen.length).to.be.at.least(3);
    expect(seen.every((r) => r.status === 'succeeded')).to.equal(true);
    expect(new Set(seen.map((r) => r.trigger))).to.deep.equal(new Set(['schedule']));
    const afterStop = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await runs()).length).to.equal(afterStop);
    const [stored] = await sandbox.query<{ n: string }>('SELECT count(*) AS n FROM lake.main.readings');
    expect(stored?.n).to.equal('1');
  });

  it('maintenance rewrites updated files, merges files and expires snapshots without changing what the lake holds', async () => {
    await sandbox.write('readings.yaml', readingsDataset());
    // 50 records, then three runs that each update the same 20 of them (40% of the first file).
    for (let v = 1; v <= 4; v++) {
      await sandbox.write(
        'readings.ndjson',
        ndjson(Array.from({ length: v === 1 ? 50 : 20 }, (_, i) => ({ id: `r${i}`, v, value: v * i }))),
      );
      await sandbox.ingest('readings');
    }
    const before = await sandbox.query('SELECT id, v, value FROM lake.main.readings ORDER BY id');
    // What a writer killed mid-run two days ago left behind: a data file no snapshot knows.
    const tableDir = path.join(sandbox.env.ODP_DATA_DIR!, 'lake', 'main', 'readings');
    const [kept] = (await readdir(tableDir)).filter((f) => f.endsWith('.parquet'));
    const orphan = path.join(tableDir, 'ducklake-orphan-of-a-killed-run.parquet');
    await copyFile(path.join(tableDir, kept!), orphan);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(orphan, twoDaysAgo, twoDaysAgo);
    const report = await maintainLake(sandbox.runtime!.lake, 0);
    expect(report.steps.map((s) => s.step)).to.deep.equal([
      'flush inlined data',
      'rewrite deleted rows out',
      'merge adjacent files',
      'expire snapshots',
      'clean up old files',
      'delete orphaned files',
    ]);
    expect(await sandbox.query('SELECT id, v, value FROM lake.main.readings ORDER BY id')).to.deep.equal(
      before,
    );
    // The older versions are gone from the files reads scan, not just marked deleted.
    const [scanned] = await sandbox.query<{ files: string; rows: string; deletes: string }>(
      `WITH readings AS (SELECT table_id FROM __ducklake_metadata_lake.ducklake_table
                         WHERE table_name = 'readings' AND end_snapshot IS NULL)
       SELECT count(*) AS files, sum(record_count) AS rows,
              (SELECT count(*) FROM __ducklake_metadata_lake.ducklake_delete_file
               WHERE end_snapshot IS NULL AND table_id IN (FROM readings)) AS deletes
       FROM __ducklake_metadata_lake.ducklake_data_file WHERE end_snapshot IS NULL AND table_id IN (FROM readings)`,
    );
    expect(scanned).to.deep.equal({ files: '1', rows: '50', deletes: '0' });
    const [snapshots] = await sandbox.query<{ n: string }>('SELECT count(*) AS n FROM lake.snapshots()');
    expect(Number(snapshots?.n)).to.equal(1);
    expect(await readdir(tableDir)).to.not.include(path.basename(orphan));
  });
});
