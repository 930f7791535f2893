import { expect } from 'chai';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

/** Text that only a database error would contain; none of it may ever reach a client. */
const LEAK =
  /(Error:|LINE \d|Binder|Parser Error|Catalog Error|Conversion Error|duckdb|SELECT |\bFROM lake)/i;

const COLUMNS = ['id', 'v', 'value', 'label', 'doubled', '_odp_run_id', '_odp_ingested_at'];
const RESERVED = ['select', 'order', 'limit', 'cursor', 'asOf', 'format'];
const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'in', 'is', 'between', ''];
const NASTY = [
  "'",
  "' OR 1=1 --",
  '"; DROP TABLE lake.main.readings; --',
  '(a,b',
  '("x\\"y",z)',
  '1e309',
  '-9223372036854775809',
  '99999999999999999999999',
  'NaN',
  '2026-13-45T25:61:00Z',
  '*',
  '%',
  '\u0000',
  'null',
  'not_null',
  'true',
  '.',
  '..',
  ',',
  'id.desc,v.asc',
  '💥',
];

const name = fc.oneof(fc.constantFrom(...COLUMNS, ...RESERVED), fc.string({ maxLength: 12 }));
const value = fc.oneof(
  fc
    .tuple(fc.constantFrom(...OPERATORS), fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 20 })))
    .map(([op, v]) => (op ? `${op}.${v}` : v)),
  fc.constantFrom(...NASTY),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 80 }),
);
const query = fc.array(fc.tuple(name, value), { maxLength: 6 });

describe('fuzzing query strings: never a 5xx, never database error text', () => {
  let sandbox: Sandbox;
  let server: ApiServer;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write(
      'readings.ndjson',
      ndjson(
        Array.from({ length: 50 }, (_, i) => ({
          id: `r${i}`,
          v: 1,
          value: i,
          label: i % 3 ? `l${i}` : null,
        })),
      ),
    );
    await sandbox.ingest('readings');
    server = await ApiServer.start(sandbox, {
      ODP_RATE_LIMIT_READ_PER_SECOND: '100000',
      ODP_RATE_LIMIT_READ_BURST: '100000',
    });
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  const check = async (path: string) => {
    const response = await server.get(path);
    const body = await response.text();
    expect(response.status, `${path} → ${body.slice(0, 300)}`).to.be.lessThan(500);
    expect(body, path).not.to.match(LEAK);
  };

  it('records: thousands of random filter, select, order, limit, cursor, asOf and format combinations', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        await check(`/v1/datasets/readings/records?${new URLSearchParams(pairs).toString()}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('record keys, change ranges, runs and snapshots with random parameters', async () => {
    const text = fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 30 }), fc.integer().map(String));
    await fc.assert(
      fc.asyncProperty(text, query, async (key, pairs) => {
        const q = new URLSearchParams(pairs).toString();
        await check(`/v1/datasets/readings/records/${encodeURIComponent(key)}?${q}`);
        await check(`/v1/datasets/readings/changes?from=${encodeURIComponent(key)}&${q}`);
        await check(`/v1/runs?${q}`);
        await check(`/v1/datasets/${encodeURIComponent(key)}/snapshots?${q}`);
      }),
      { numRuns: 500 },
    );
  });
});
