import { expect } from 'chai';
import { balanced, ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe('each record is stored once: newer versions update, identical or older ones are left alone', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
  });
  after(() => sandbox.close());

  const stored = () => sandbox.query('SELECT id, v, value FROM lake.main.readings ORDER BY id');

  it('applies versions across runs by key', async () => {
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 1, value: 1 },
        { id: 'b', v: 1, value: 1 },
        { id: 'c', v: 5, value: 1 },
      ]),
    );
    const first = await sandbox.ingest('readings');
    expect(first).to.include({ inserted: 3, updated: 0, unchanged: 0 });

    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 2, value: 2 }, // newer: update
        { id: 'b', v: 1, value: 9 }, // same version, other content: left alone
        { id: 'c', v: 4, value: 9 }, // older: left alone
        { id: 'd', v: 1, value: 1 }, // new key: insert
      ]),
    );
    const second = await sandbox.ingest('readings');
    expect(second).to.include({ received: 4, inserted: 1, updated: 1, unchanged: 2, quarantined: 0 });
    expect(balanced(second)).to.equal(true);
    expect(await stored()).to.deep.equal([
      { id: 'a', v: 2, value: 2 },
      { id: 'b', v: 1, value: 1 },
      { id: 'c', v: 5, value: 1 },
      { id: 'd', v: 1, value: 1 },
    ]);
    const [provenance] = await sandbox.query<{ _odp_run_id: string }>(
      "SELECT _odp_run_id FROM lake.main.readings WHERE id = 'a'",
    );
    expect(provenance?._odp_run_id).to.equal(second.run_id);
  });

  it('keeps every run as a snapshot that time travel can read', async () => {
    const runs = await sandbox.query<{ run_id: string }>(
      'SELECT run_id FROM lake.odp.runs ORDER BY started_at',
    );
    const snapshots = await sandbox.query<{ snapshot_id: string; commit_message: string }>(
      `SELECT snapshot_id, commit_message FROM lake.snapshots() WHERE commit_extra_info = ?`,
      [runs[0]!.run_id],
    );
    expect(snapshots[0]?.commit_message).to.equal(
      `manual ingest of readings: run ${runs[0]!.run_id} (succeeded)`,
    );
    const before = await sandbox.query(
      `SELECT id, v, value FROM lake.main.readings AT (VERSION => ${Number(snapshots[0]!.snapshot_id)}) ORDER BY id`,
    );
    expect(before).to.deep.equal([
      { id: 'a', v: 1, value: 1 },
      { id: 'b', v: 1, value: 1 },
      { id: 'c', v: 5, value: 1 },
    ]);
  });

  it('adds a column when the dataset gains one; records stored before read NULL', async () => {
    await sandbox.write(
      'readings.yaml',
      readingsDataset({ extraColumns: '  - { name: unit, type: VARCHAR }' }),
    );
    await sandbox.open();
    await sandbox.write('readings.ndjson', ndjson([{ id: 'e', v: 1, value: 3, unit: 'mm' }]));
    const run = await sandbox.ingest('readings');
    expect(run).to.include({ status: 'succeeded', inserted: 1 });
    const rows = await sandbox.query(
      "SELECT id, unit FROM lake.main.readings WHERE id IN ('a', 'e') ORDER BY id",
    );
    expect(rows).to.deep.equal([
      { id: 'a', unit: null },
      { id: 'e', unit: 'mm' },
    ]);
  });

  it('replays a past run from its raw increment without storing anything twice', async () => {
    const runtime = await sandbox.open();
    const [first] = await sandbox.query<{ run_id: string; increments: string[] }>(
      "SELECT run_id, increments FROM lake.odp.runs WHERE status = 'succeeded' ORDER BY started_at LIMIT 1",
    );
    const { runToEnd } = await import('../../src/runs/start.js');
    const replay = await runToEnd(runtime, { trigger: 'replay', run: first!.run_id });
    expect(replay).to.include({ status: 'succeeded', received: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(replay.increments).to.deep.equal(first!.increments);
  });
});
