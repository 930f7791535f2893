import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

type Page = { data: Record<string, unknown>[]; next: string | null; snapshot: number };
type Changes = { from: number; to: number; data: Record<string, unknown>[]; next: string | null };

describe('time travel, the change feed and snapshot-pinned cursors over three ingest runs', () => {
  let sandbox: Sandbox;
  let server: ApiServer;
  const snapshots: number[] = [];
  const times: string[] = [];

  const run = async (records: unknown[]) => {
    await sandbox.write('readings.ndjson', ndjson(records));
    const result = await sandbox.ingest('readings');
    expect(result.status, result.error ?? '').to.equal('succeeded');
    snapshots.push(result.snapshot_id!);
    const [row] = await sandbox.query<{ t: string }>(
      "SELECT strftime(snapshot_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS t FROM lake.snapshots() WHERE snapshot_id = ?",
      [result.snapshot_id!],
    );
    times.push(row!.t);
    return result;
  };

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    await run([
      { id: 'a', v: 1, value: 1 },
      { id: 'b', v: 1, value: 1 },
      { id: 'c', v: 1, value: 1 },
    ]);
    await run([
      { id: 'a', v: 2, value: 2 },
      { id: 'd', v: 1, value: 1 },
    ]);
    await run([{ id: 'b', v: 2, value: 5 }]);
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  const values = (page: Page) => Object.fromEntries(page.data.map((r) => [r.id, r.value]));

  it('reads a record changed by a later run with its old value asOf the earlier snapshot or time', async () => {
    const now = await server.json<Page>('/v1/datasets/readings/records?order=id');
    expect(values(now)).to.deep.equal({ a: 2, b: 5, c: 1, d: 1 });
    const first = await server.json<Page>(`/v1/datasets/readings/records?order=id&asOf=${snapshots[0]}`);
    expect(values(first)).to.deep.equal({ a: 1, b: 1, c: 1 });
    expect(first.snapshot).to.equal(snapshots[0]);
    const second = await server.json<Page>(
      `/v1/datasets/readings/records?order=id&asOf=${encodeURIComponent(times[1]!)}`,
    );
    expect(values(second)).to.deep.equal({ a: 2, b: 1, c: 1, d: 1 });
    const record = await server.json<Record<string, unknown>>(
      `/v1/datasets/readings/records/b?asOf=${snapshots[1]}`,
    );
    expect(record.value).to.equal(1);
    const before = await server.json<{ detail: string }>(
      '/v1/datasets/readings/records?asOf=2001-01-01T00:00:00Z',
      404,
    );
    expect(before.detail).to.match(/no snapshot at or before 2001-01-01T00:00:00Z/);
    const junk = await server.json<{ errors: { parameter: string }[] }>(
      '/v1/datasets/readings/records?asOf=yesterday',
      400,
    );
    expect(junk.errors[0]!.parameter).to.equal('asOf');
  });

  it('lists the dataset’s snapshots newest first, each with its run', async () => {
    const listed = await server.json<{ data: { snapshot_id: number; inserted: number; updated: number }[] }>(
      '/v1/datasets/readings/snapshots',
    );
    expect(listed.data.map((s) => s.snapshot_id)).to.deep.equal([...snapshots].reverse());
    expect(listed.data.map((s) => [s.inserted, s.updated])).to.deep.equal([
      [0, 1],
      [1, 1],
      [3, 0],
    ]);
  });

  it('serves the change feed across the three runs: inserts, then update pre- and post-images', async () => {
    const feed: Record<string, unknown>[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: Changes = await server.json<Changes>(
        `/v1/datasets/readings/changes?from=${snapshots[0]}&limit=2${next ? `&cursor=${next}` : ''}`,
      );
      feed.push(...page.data);
      next = page.next;
      pages++;
    } while (next);
    expect(pages).to.be.greaterThan(2);
    const summary = feed.map((c) => `${c.snapshot_id}:${c.change_type}:${c.id}=${c.value}`);
    // Within a snapshot DuckDB numbers rows as it likes; across snapshots the feed is in commit order.
    const bySnapshot = (i: number) => summary.filter((s) => s.startsWith(`${snapshots[i]}:`)).sort();
    expect(summary.map((s) => Number(s.split(':')[0]))).to.deep.equal(
      summary.map((s) => Number(s.split(':')[0])).sort((x, y) => x - y),
    );
    expect(bySnapshot(0)).to.deep.equal([
      `${snapshots[0]}:insert:a=1`,
      `${snapshots[0]}:insert:b=1`,
      `${snapshots[0]}:insert:c=1`,
    ]);
    expect(bySnapshot(1)).to.deep.equal([
      `${snapshots[1]}:insert:d=1`,
      `${snapshots[1]}:update_postimage:a=2`,
      `${snapshots[1]}:update_preimage:a=1`,
    ]);
    expect(bySnapshot(2)).to.deep.equal([
      `${snapshots[2]}:update_postimage:b=5`,
      `${snapshots[2]}:update_preimage:b=1`,
    ]);
    expect(summary).to.have.length(8);
    // A post-image directly follows its pre-image.
    for (const [i, s] of summary.entries()) {
      if (s.includes('update_preimage'))
        expect(summary[i + 1]).to.match(new RegExp(`update_postimage:${s.split(':')[2]!.split('=')[0]}=`));
    }
    // Resuming from the last snapshot seen plus one yields only what came after it.
    const resumed = await server.json<Changes>(`/v1/datasets/readings/changes?from=${snapshots[2]}`);
    expect(resumed.data.map((c) => c.id)).to.deep.equal(['b', 'b']);
    expect(resumed.to).to.equal(snapshots[2]);
    // A follower already past the end asks for an empty range: nothing changed in it, not an error.
    const past = await server.json<Changes>(`/v1/datasets/readings/changes?from=${snapshots[2]! + 1}`);
    expect(past.data).to.deep.equal([]);
    expect(past.to).to.equal(snapshots[2]);
  });

  it('keeps a cursor on the snapshot it started on while a run commits between pages', async () => {
    const first = await server.json<Page>('/v1/datasets/readings/records?order=id&limit=2&select=id,value');
    expect(first.data.map((r) => r.id)).to.deep.equal(['a', 'b']);
    await run([
      { id: 'bb', v: 1, value: 7 },
      { id: 'c', v: 2, value: 9 },
    ]);
    const second = await server.json<Page>(
      `/v1/datasets/readings/records?order=id&limit=2&select=id,value&cursor=${first.next}`,
    );
    expect(second.data).to.deep.equal([
      { id: 'c', value: 1 },
      { id: 'd', value: 1 },
    ]);
    expect(second.snapshot).to.equal(first.snapshot);
    const fresh = await server.json<Page>('/v1/datasets/readings/records?order=id&limit=10&select=id,value');
    expect(fresh.data.map((r) => `${r.id}=${r.value}`)).to.deep.equal(['a=2', 'b=5', 'bb=7', 'c=9', 'd=1']);
  });
});
