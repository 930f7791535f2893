import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

type Problem = { status: number; detail: string; errors?: { parameter: string; message: string }[] };
type Cursor = { s: unknown; a: unknown[]; q: unknown };

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;

/** Cursors no page ever issued: not base64, base64 of something else, or the right fields of the wrong kind. */
const FORGED = [
  '%%%',
  '!!!!',
  'not a cursor',
  Buffer.from('hello').toString('base64url'),
  encode(null),
  encode([1, 2, 3]),
  encode({ s: 1 }),
  encode({ s: '1', a: [], q: '' }),
  encode({ s: -1, a: [], q: '' }),
  encode({ s: 1e300, a: [], q: '' }),
  encode({ s: 1, a: [{}], q: '' }),
];

describe('paged routes answer a tampered cursor with a 400 naming it, never a 500', () => {
  let sandbox: Sandbox;
  let server: ApiServer;
  /** The `next` cursor of a first page of each paged route. */
  const issued: Record<'records' | 'runs' | 'changes', string> = { records: '', runs: '', changes: '' };
  const paths = {
    records: '/v1/datasets/readings/records?order=value.desc&limit=1',
    runs: '/v1/runs?limit=1',
    changes: '/v1/datasets/readings/changes?from=1&limit=1',
  };

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    for (let v = 1; v <= 3; v++) {
      await sandbox.write(
        'readings.ndjson',
        ndjson([
          { id: 'a', v, value: v },
          { id: `b${v}`, v, value: 10 * v },
          { id: `c${v}`, v: 1, value: -1 },
        ]),
      );
      expect((await sandbox.ingest('readings')).status).to.equal('succeeded');
    }
    server = await ApiServer.start(sandbox);
    for (const route of Object.keys(paths) as (keyof typeof paths)[]) {
      const page = await server.json<{ next: string | null }>(paths[route]);
      expect(page.next, route).to.be.a('string');
      issued[route] = page.next!;
    }
  });
  after(async () => {
    await server?.close();
    await sandbox?.close();
  });

  async function refused(pathAndQuery: string, parameter: string, scope?: 'admin'): Promise<void> {
    const response = await server.get(pathAndQuery, scope ? { scope } : {});
    const text = await response.text();
    expect(response.status, `${pathAndQuery}: ${text}`).to.equal(400);
    expect(response.headers.get('content-type')).to.match(/problem\+json/);
    const problem = JSON.parse(text) as Problem;
    expect(
      problem.errors?.map((e) => e.parameter),
      `${pathAndQuery}: ${text}`,
    ).to.include(parameter);
    expect(text).not.to.match(/Error:|at .*\.ts:\d+|DuckDB|CAST/);
  }

  /** The route's own cursor with its values replaced: the right shape, values of the wrong kind. */
  function retyped(route: keyof typeof issued, change: (cursor: Cursor) => void): string {
    const cursor = decode(issued[route]);
    change(cursor);
    return encode(cursor);
  }

  it('the cursors issued continue their pages', async () => {
    for (const route of Object.keys(paths) as (keyof typeof paths)[]) {
      const next = await server.json<{ data: unknown[] }>(`${paths[route]}&cursor=${issued[route]}`);
      expect(next.data, route).to.have.length(1);
    }
  });

  it('records: forged, retyped, from another route, or pinned to a snapshot the lake never had', async () => {
    const tampered = [
      ...FORGED,
      issued.runs,
      issued.changes,
      retyped('records', (c) => {
        c.a[0] = 'not a number';
      }),
      retyped('records', (c) => {
        c.a[0] = true;
      }),
      retyped('records', (c) => {
        c.a[1] = 12;
        c.a[0] = '1e999';
      }),
      retyped('records', (c) => {
        c.a.push('extra');
      }),
      retyped('records', (c) => {
        c.s = 9_999_999;
      }),
      retyped('records', (c) => {
        c.q = 42;
      }),
    ];
    for (const cursor of tampered) await refused(`${paths.records}&cursor=${cursor}`, 'cursor');
    for (const format of ['ndjson', 'csv', 'parquet']) {
      await refused(`${paths.records}&format=${format}&cursor=${tampered.at(-2)}`, 'cursor');
    }
  });

  it('runs: forged, retyped or from another route', async () => {
    const tampered = [
      ...FORGED,
      issued.records,
      issued.changes,
      retyped('runs', (c) => {
        c.a = [1, 2];
      }),
      retyped('runs', (c) => {
        c.a = ['yesterday', 'x'];
      }),
      retyped('runs', (c) => {
        c.a = [null, null];
      }),
      retyped('runs', (c) => {
        c.a = [true, 'x'];
      }),
      retyped('runs', (c) => {
        c.a[1] = 7;
      }),
    ];
    for (const cursor of tampered) await refused(`${paths.runs}&cursor=${cursor}`, 'cursor');
  });

  it('changes: forged, retyped, from another route, or ending past the lake', async () => {
    const tampered = [
      ...FORGED,
      issued.records,
      issued.runs,
      retyped('changes', (c) => {
        c.a = ['x', 'y', 'z'];
      }),
      retyped('changes', (c) => {
        c.a = [1.5, 2, 3];
      }),
      retyped('changes', (c) => {
        c.a = [null, 1, 2];
      }),
      retyped('changes', (c) => {
        c.a = [1, 2, 1e300];
      }),
      retyped('changes', (c) => {
        c.s = 9_999_999;
      }),
      retyped('changes', (c) => {
        c.s = 0;
      }),
    ];
    for (const cursor of tampered) await refused(`${paths.changes}&cursor=${cursor}`, 'cursor');
  });

  it('snapshots and quarantine: a cursor is not theirs to take, and a forged `before` is refused', async () => {
    for (const cursor of [FORGED[0]!, issued.records, issued.runs]) {
      await refused(`/v1/datasets/readings/snapshots?limit=1&cursor=${cursor}`, 'cursor');
      await refused(`/v1/datasets/readings/quarantine?limit=1&cursor=${cursor}`, 'cursor', 'admin');
    }
    for (const before of ['abc', '1e3', '-1', '1.5', '9'.repeat(30)]) {
      await refused(`/v1/datasets/readings/snapshots?limit=1&before=${before}`, 'before');
    }
  });
});
