import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ApiServer } from '../api/server.js';
import { balanced, ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

type Changes = { data: Record<string, unknown>[] };

describe('records received again unchanged are recognised by their content hash, and judged exactly as before', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 1, value: 5 },
        { id: 'b', v: 1, value: 1 },
        { id: 'c', v: 1, value: 1 },
      ]),
    );
    expect(await sandbox.ingest('readings')).to.include({ inserted: 3 });
  });
  after(() => sandbox.close());

  const stored = () => sandbox.query('SELECT id, v, value FROM lake.main.readings ORDER BY id');

  it('counts an unchanged payload as unchanged and writes no data', async () => {
    const before = await stored();
    const run = await sandbox.ingest('readings');
    expect(run).to.include({ status: 'succeeded', received: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await stored()).to.deep.equal(before);
    const [hashes] = await sandbox.query<{ missing: number }>(
      'SELECT count(*)::INTEGER AS missing FROM lake.main.readings WHERE _odp_hash IS NULL',
    );
    expect(hashes?.missing).to.equal(0);
  });

  it('still ranks a stored copy with a conflicting record of its key, so the conflict is quarantined', async () => {
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 1, value: 5 },
        { id: 'b', v: 1, value: 1 }, // as stored
        { id: 'b', v: 1, value: 9 }, // same version, other content, later in the batch
      ]),
    );
    const run = await sandbox.ingest('readings');
    expect(run).to.include({ received: 3, inserted: 0, updated: 0, unchanged: 2, quarantined: 1 });
    expect(balanced(run)).to.equal(true);
    expect(run.top_reasons).to.deep.equal([{ code: 'conflict', count: 1 }]);
  });

  it('lets the later of two versionless records win even when it is the stored one', async () => {
    await sandbox.write(
      'points.yaml',
      `name: points
schedule: "*/5 * * * *"
source: { format: ndjson, live: points.ndjson }
key: [id]
columns:
  - { name: id, type: VARCHAR }
  - { name: value, type: DOUBLE }
`,
    );
    await sandbox.open();
    await sandbox.write('points.ndjson', ndjson([{ id: 'p', value: 1 }]));
    expect(await sandbox.ingest('points')).to.include({ inserted: 1 });
    await sandbox.write(
      'points.ndjson',
      ndjson([
        { id: 'p', value: 2 },
        { id: 'p', value: 1 }, // the stored record, last: it wins, so nothing changes
      ]),
    );
    expect(await sandbox.ingest('points')).to.include({ updated: 0, unchanged: 2, quarantined: 0 });
    expect(await sandbox.query('SELECT id, value FROM lake.main.points')).to.deep.equal([
      { id: 'p', value: 1 },
    ]);
  });

  it('does not re-check stored records against a changed rule unless the run is a recheck', async () => {
    await sandbox.write(
      'readings.yaml',
      readingsDataset({ rules: '  - { name: small, check: value < 3, message: value must be below 3 }' }),
    );
    await sandbox.open();
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 1, value: 5 },
        { id: 'c', v: 1, value: 1 },
      ]),
    );
    expect(await sandbox.ingest('readings')).to.include({ unchanged: 2, quarantined: 0 });
    const recheck = await sandbox.ingest('readings', { recheck: true });
    expect(recheck).to.include({ unchanged: 1, quarantined: 1 });
    expect(recheck.top_reasons).to.deep.equal([{ code: 'rule:small', count: 1 }]);
    // The stored record stays as it was: a rule judges what arrives, it deletes nothing.
    expect(await stored()).to.deep.include({ id: 'a', v: 1, value: 5 });
  });

  it('refreshes the hash of a record stored without one, changing nothing a client sees', async () => {
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.open();
    await sandbox.write('readings.ndjson', ndjson([{ id: 'c', v: 1, value: 1 }]));
    // As a lake written before records carried their hash.
    await sandbox.query('ALTER TABLE lake.main.readings DROP COLUMN _odp_hash');
    const refreshed = await sandbox.ingest('readings');
    expect(refreshed).to.include({ inserted: 0, updated: 0, unchanged: 1 });
    const hashed = await sandbox.query<{ id: string }>(
      'SELECT id FROM lake.main.readings WHERE _odp_hash IS NOT NULL ORDER BY id',
    );
    expect(hashed).to.deep.equal([{ id: 'c' }]); // only the record received again
    expect(await sandbox.ingest('readings')).to.include({ unchanged: 1 });
    const server = await ApiServer.start(sandbox);
    try {
      const feed = await server.json<Changes>(
        `/v1/datasets/readings/changes?from=${refreshed.snapshot_id! - 1}&to=${refreshed.snapshot_id}`,
      );
      expect(feed.data).to.deep.equal([]);
      const records = await server.json<{ data: Record<string, unknown>[] }>('/v1/datasets/readings/records');
      expect(Object.keys(records.data[0]!)).to.not.include('_odp_hash');
    } finally {
      await server.close();
    }
  });
});
