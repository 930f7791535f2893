import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { servingMetrics } from '../../src/serving/metrics.js';
import { ndjson, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer, earthquakesSandbox } from './server.js';

type Page = { data: Record<string, unknown>[]; next: string | null; snapshot: number };

/** Reads of earthquakes answered by each source so far, from the counter /metrics shows. */
async function reads(): Promise<{ copy: number; lake: number }> {
  const { values } = await servingMetrics.reads.get();
  const of = (source: string) =>
    values.find((v) => v.labels.dataset === 'earthquakes' && v.labels.source === source)?.value ?? 0;
  return { copy: of('copy'), lake: of('lake') };
}

/** Snapshots of earthquakes not copied for want of room, so far. */
const overBudget = async () =>
  (await servingMetrics.overBudget.get()).values.find((v) => v.labels.dataset === 'earthquakes')?.value ?? 0;

/** What each request of `work` was answered from. */
async function servedBy(work: () => Promise<void>): Promise<{ copy: number; lake: number }> {
  const before = await reads();
  await work();
  const now = await reads();
  return { copy: now.copy - before.copy, lake: now.lake - before.lake };
}

/** Every filter, select, order and paging form the contract tests use, and one record by key. */
const FORMS = [
  'mag=gte.5&order=time.desc&limit=5',
  'select=id,mag&mag=gt.6&order=mag.desc',
  'select=id&limit=1000&place=like.*Alaska',
  'select=id&limit=1000&place=ilike.*ALASKA',
  'select=id&limit=1000&mag=is.not_null&order=mag.asc',
  'select=id&limit=1000&tsunami=is.true',
  'select=id&limit=1000&tsunami=is.false&order=depth_km.desc',
  'limit=1000&mag=gte.4&mag=lt.5',
  'select=id,time&limit=1000&time=gte.2018-02-06T00:00:00Z&time=lte.2018-02-06T12:00:00',
  'select=id,time&time=gt.2018-02-06T10:00:00%2B01:00&order=time.asc&limit=50',
  'order=significance.desc,mag.asc&limit=300',
  'select=place,felt,network&network=neq.us&order=felt.desc',
  'limit=1000',
];

describe('serving copies: reads of the current snapshot answered from memory, exactly as the lake answers', () => {
  let sandbox: Sandbox;
  let copies: ApiServer;
  let lake: ApiServer;
  let ids: string[];
  /** The snapshot of the ingest, older than the commit a test below adds. */
  let ingested: number;

  before(async () => {
    sandbox = await earthquakesSandbox();
    copies = await ApiServer.start(sandbox, { ODP_SERVING_MB: '64', ODP_API_CACHE_MB: '0' });
    lake = await ApiServer.start(sandbox, { ODP_SERVING_MB: '0', ODP_API_CACHE_MB: '0' });
    ids = (
      await sandbox.query<{ id: string }>('SELECT id FROM lake.main.earthquakes ORDER BY id LIMIT 3')
    ).map((r) => r.id);
    expect(copies.api.serving.bytes).to.be.greaterThan(0);
    ingested = (await lake.json<Page>('/v1/datasets/earthquakes/records?limit=1')).snapshot;
  });
  after(async () => {
    await copies?.close();
    await lake?.close();
    await sandbox?.close();
  });

  /** Both answers of a request, the copy's first; each must be a 200. */
  const both = async (path: string) =>
    [await copies.json(path), await lake.json(path)] as [Record<string, unknown>, Record<string, unknown>];

  it('answers every filter, select and order form with the lake’s exact page, all columns', async () => {
    const pages: [Record<string, unknown>, Record<string, unknown>][] = [];
    const counted = await servedBy(async () => {
      for (const form of FORMS) pages.push(await both(`/v1/datasets/earthquakes/records?${form}`));
    });
    // The copy server read from memory, the other from the lake: one read each per form.
    expect(counted).to.deep.equal({ copy: FORMS.length, lake: FORMS.length });
    for (const [i, [fromCopy, fromLake]] of pages.entries()) {
      expect(fromCopy, FORMS[i]).to.deep.equal(fromLake);
      // Agreement on nothing proves nothing: every form selects rows of the sample.
      expect((fromCopy as Page).data.length, FORMS[i]).to.be.greaterThan(0);
    }
  });

  it('pages through a query with cursors exactly as the lake does', async () => {
    const walk = async (server: ApiServer) => {
      const seen: Record<string, unknown>[] = [];
      let next: string | null = null;
      do {
        const page: Page = await server.json<Page>(
          `/v1/datasets/earthquakes/records?mag=gte.2&order=time.desc&limit=97${next ? `&cursor=${next}` : ''}`,
        );
        seen.push(...page.data);
        next = page.next;
      } while (next);
      return seen;
    };
    let fromCopy: Record<string, unknown>[] = [];
    const counted = await servedBy(async () => {
      fromCopy = await walk(copies);
    });
    expect(counted.lake).to.equal(0);
    expect(counted.copy).to.be.greaterThan(1);
    expect(fromCopy.length).to.be.greaterThan(97);
    expect(fromCopy).to.deep.equal(await walk(lake));
  });

  it('serves a record by key from the copy, and 404s as the lake does', async () => {
    const counted = await servedBy(async () => {
      const [fromCopy, fromLake] = await both(`/v1/datasets/earthquakes/records/${ids[1]}`);
      expect(fromCopy).to.deep.equal(fromLake);
      expect(fromCopy.id).to.equal(ids[1]);
      await copies.json('/v1/datasets/earthquakes/records/no-such-event', 404);
    });
    expect(counted).to.deep.equal({ copy: 2, lake: 1 });
  });

  it('serves a new commit from the lake at once, then from a copy of it once built', async () => {
    const before = await copies.json<Page>('/v1/datasets/earthquakes/records?limit=1');
    await sandbox.query(
      "INSERT INTO lake.main.earthquakes SELECT * REPLACE ('zz-serving-test' AS id) FROM lake.main.earthquakes WHERE id = ?",
      [ids[0]!],
    );
    const path = '/v1/datasets/earthquakes/records?id=eq.zz-serving-test';
    let first: Page | undefined;
    const atCommit = await servedBy(async () => {
      first = await copies.json<Page>(path);
    });
    // The copy holds the older snapshot, so the new one is read from the lake meanwhile.
    expect(atCommit).to.deep.equal({ copy: 0, lake: 1 });
    expect(first!.snapshot).to.be.greaterThan(before.snapshot);
    expect(first!.data.map((r) => r.id)).to.deep.equal(['zz-serving-test']);

    await copies.api.serving.settled();
    let second: Page | undefined;
    const afterSwap = await servedBy(async () => {
      second = await copies.json<Page>(path);
    });
    expect(afterSwap).to.deep.equal({ copy: 1, lake: 0 });
    expect(second).to.deep.equal(first);
    expect(second).to.deep.equal(await lake.json<Page>(path));
  });

  it('shows the copy’s size, snapshot, build time and reads on /metrics', async () => {
    const text = await (await copies.get('/metrics', { scope: 'admin' })).text();
    expect(text).to.match(/^odp_serving_copy_bytes\{dataset="earthquakes"\} [1-9]\d*$/m);
    expect(text).to.match(/^odp_serving_copy_snapshot_id\{dataset="earthquakes"\} [1-9]\d*$/m);
    expect(text).to.match(/^odp_serving_copy_build_seconds\{dataset="earthquakes"\} \d/m);
    expect(text).to.match(/^odp_serving_reads_total\{dataset="earthquakes",source="copy"\} [1-9]/m);
  });

  it('replaces a copy that cannot fit beside its successor first, staying within the budget', async () => {
    const one = copies.api.serving.bytes;
    // Room for one copy and half another: the next snapshot's copy cannot be built while this one serves.
    const tight = await ApiServer.start(sandbox, {
      ODP_SERVING_MB: String((1.5 * one) / 2 ** 20),
      ODP_API_CACHE_MB: '0',
    });
    try {
      expect(tight.api.serving.bytes).to.equal(one);
      const refused = await overBudget();
      await sandbox.query(
        "INSERT INTO lake.main.earthquakes SELECT * REPLACE ('zz-tight-budget' AS id) FROM lake.main.earthquakes WHERE id = ?",
        [ids[1]!],
      );
      const path = '/v1/datasets/earthquakes/records?id=eq.zz-tight-budget';
      const first = await tight.json<Page>(path);
      await tight.api.serving.settled();
      let second: Page | undefined;
      const counted = await servedBy(async () => {
        second = await tight.json<Page>(path);
      });
      expect(counted).to.deep.equal({ copy: 1, lake: 0 });
      expect(second).to.deep.equal(first);
      expect(first.data).to.have.length(1);
      expect(tight.api.serving.bytes).to.be.within(one, 1.5 * one);
      expect(await overBudget()).to.equal(refused);
    } finally {
      await tight.close();
    }
  });

  it('reads asOf an older snapshot from the lake, with the lake’s answer', async () => {
    const current = (await lake.json<Page>('/v1/datasets/earthquakes/records?limit=1')).snapshot;
    expect(ingested).to.be.lessThan(current);
    const path = `/v1/datasets/earthquakes/records?asOf=${ingested}&order=mag.desc&limit=20`;
    let answers: [Record<string, unknown>, Record<string, unknown>] | undefined;
    const counted = await servedBy(async () => {
      answers = await both(path);
    });
    expect(counted).to.deep.equal({ copy: 0, lake: 2 });
    expect(answers![0]).to.deep.equal(answers![1]);
    expect((answers![0] as Page).data).to.have.length(20);
  });

  it('reads a dataset whose copy would not fit the budget from the lake, with the lake’s answers', async () => {
    const small = await ApiServer.start(sandbox, { ODP_SERVING_MB: '0.001', ODP_API_CACHE_MB: '0' });
    try {
      const path = '/v1/datasets/earthquakes/records?mag=gte.4&order=time.desc&limit=50';
      const refused = await overBudget();
      let answer: Page | undefined;
      const counted = await servedBy(async () => {
        answer = await small.json<Page>(path);
        await small.api.serving.settled();
        answer = await small.json<Page>(path);
      });
      expect(counted).to.deep.equal({ copy: 0, lake: 2 });
      expect(small.api.serving.bytes).to.equal(0);
      expect(refused).to.be.greaterThan(0);
      expect(answer).to.deep.equal(await lake.json<Page>(path));
      expect(answer!.data.length).to.be.greaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe('serving copies of a dataset sorted by a key and a time: the everyday query reads a day, not every row', () => {
  let sandbox: Sandbox;
  let copies: ApiServer;
  let lake: ApiServer;
  const ORIGINS = ['ATL', 'DEN', 'ORD', 'SFO'];

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write(
      'departures.yaml',
      `name: departures
schedule: "0 3 * * *"
source: { format: ndjson, live: departures.ndjson }
key: [id]
sortedBy: [origin, at.desc]
columns:
  - { name: id, type: VARCHAR }
  - { name: origin, type: VARCHAR }
  - { name: at, type: TIMESTAMP }
  - { name: delay, type: INTEGER }
`,
    );
    // 12,000 departures over 60 days, several to a minute (ties where a page may end), some with no time.
    const records = Array.from({ length: 12_000 }, (_, i) => ({
      id: `d${i}`,
      origin: ORIGINS[(i * 7) % ORIGINS.length],
      at: i % 97 === 0 ? null : new Date(Date.UTC(2001, 0, 1) + ((i * 7919) % 6000) * 864_000).toISOString(),
      delay: (i * 31) % 120,
    }));
    await sandbox.write('departures.ndjson', ndjson(records));
    expect((await sandbox.ingest('departures')).status).to.equal('succeeded');
    copies = await ApiServer.start(sandbox, { ODP_SERVING_MB: '64', ODP_API_CACHE_MB: '0' });
    lake = await ApiServer.start(sandbox, { ODP_SERVING_MB: '0', ODP_API_CACHE_MB: '0' });
    expect(copies.api.serving.bytes).to.be.greaterThan(0);
  });
  after(async () => {
    await copies?.close();
    await lake?.close();
    await sandbox?.close();
  });

  const narrowedReads = async () =>
    (await servingMetrics.narrowed.get()).values.find((v) => v.labels.dataset === 'departures')?.value ?? 0;

  it('answers an origin’s latest departures before a time exactly as the lake, page ends inside a minute included', async () => {
    const before = await narrowedReads();
    let compared = 0;
    for (const origin of ORIGINS) {
      for (const bound of [
        'lt.2001-01-20',
        'lte.2001-02-11T07:12:00',
        'lt.2001-03-01T12:00:00Z',
        'lt.2001-01-02',
      ]) {
        for (const limit of [1, 7, 100, 1000]) {
          const path = `/v1/datasets/departures/records?origin=eq.${origin}&at=${bound}&order=at.desc&limit=${limit}`;
          const fromCopy = await copies.json<Page>(path);
          expect(fromCopy, path).to.deep.equal(await lake.json<Page>(path));
          if (fromCopy.data.length > 0) compared++;
        }
      }
      // No upper bound, a second bound, and a cursor: each read of the copy, answered as the lake answers.
      for (const query of [
        'order=at.desc&limit=50',
        'at=lt.2001-02-01&at=lte.2001-01-25&order=at.desc&limit=30',
      ]) {
        const path = `/v1/datasets/departures/records?origin=eq.${origin}&${query}`;
        const first = await copies.json<Page>(path);
        expect(first, path).to.deep.equal(await lake.json<Page>(path));
        const next = `${path}&cursor=${first.next}`;
        expect(await copies.json<Page>(next), next).to.deep.equal(await lake.json<Page>(next));
      }
    }
    expect(compared).to.be.greaterThan(50);
    // Most of those reads were bounded by the day counts (a page larger than the origin's rows is not).
    expect((await narrowedReads()) - before).to.be.greaterThan(30);
  });
});
