import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Run } from '../../src/journal/run.js';
import { Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

type Page = { data: Record<string, unknown>[]; next: string | null; snapshot: number };

describe('read API contract over a lake filled by the ingest pipeline (earthquakes)', () => {
  let sandbox: Sandbox;
  let server: ApiServer;
  let ingested: Run;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write(
      'earthquakes.yaml',
      await readFile(new URL('../../datasets/earthquakes.yaml', import.meta.url), 'utf8'),
    );
    ingested = await sandbox.ingest('earthquakes');
    expect(ingested.status).to.equal('succeeded');
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  const countOf = async (sql: string) => Number((await sandbox.query<{ n: string }>(sql))[0]?.n);
  const all = () =>
    sandbox.query<{ id: string; mag: number | null; time: string }>(
      'SELECT id, mag, time FROM lake.main.earthquakes ORDER BY time DESC, id',
    );

  it('lists datasets with schema, row count, snapshot and last run', async () => {
    const { data } = await server.json<{ data: Record<string, unknown>[] }>('/v1/datasets');
    expect(data.map((d) => d.name)).to.deep.equal(['earthquakes']);
    const one = await server.json<Record<string, unknown>>('/v1/datasets/earthquakes');
    expect(one.rows).to.equal((await all()).length);
    expect(one.key).to.deep.equal(['id']);
    expect((one.columns as { name: string }[]).map((c) => c.name)).to.include.members([
      'id',
      'mag',
      'magnitude_class',
      '_odp_run_id',
    ]);
    expect(one.snapshot).to.be.a('number');
    expect((one.lastRun as { status: string; inserted: number }).status).to.equal('succeeded');
    expect((one.lastRun as { inserted: number }).inserted).to.equal(one.rows);
  });

  it('filters, selects and orders: the curl of the README returns five records', async () => {
    const page = await server.json<Page>(
      '/v1/datasets/earthquakes/records?mag=gte.5&order=time.desc&limit=5',
    );
    const expected = (await all()).filter((r) => r.mag !== null && r.mag >= 5).slice(0, 5);
    expect(page.data.map((r) => r.id)).to.deep.equal(expected.map((r) => r.id));
    expect(page.next).to.be.a('string');
    const selected = await server.json<Page>(
      '/v1/datasets/earthquakes/records?select=id,mag&mag=gt.6&order=mag.desc',
    );
    expect(Object.keys(selected.data[0]!)).to.deep.equal(['id', 'mag']);
    const mags = selected.data.map((r) => r.mag as number);
    expect(mags).to.deep.equal([...mags].sort((a, b) => b - a));
    expect(mags.every((m) => m > 6)).to.equal(true);
  });

  it('applies every operator as documented', async () => {
    const count = async (query: string) =>
      (await server.json<Page>(`/v1/datasets/earthquakes/records?select=id&limit=1000&${query}`)).data.length;
    const alaska = await countOf(
      "SELECT count(*) AS n FROM lake.main.earthquakes WHERE place LIKE '%Alaska'",
    );
    expect(await count('place=like.*Alaska')).to.equal(alaska);
    expect(await count('place=ilike.*ALASKA')).to.equal(alaska);
    const nullMag = await countOf('SELECT count(*) AS n FROM lake.main.earthquakes WHERE mag IS NULL');
    expect(await count('mag=is.null')).to.equal(nullMag);
    expect(await count('tsunami=is.true')).to.equal(
      (await sandbox.query('SELECT id FROM lake.main.earthquakes WHERE tsunami')).length,
    );
    const ids = (await all()).slice(0, 3).map((r) => r.id);
    expect(await count(`id=in.(${ids.join(',')})`)).to.equal(3);
    expect(await count(`id=eq.${ids[0]}`)).to.equal(1);
    expect(await count(`id=neq.${ids[0]}&mag=gte.4&mag=lt.5`)).to.equal(
      (await all()).filter((r) => r.id !== ids[0] && r.mag !== null && r.mag >= 4 && r.mag < 5).length,
    );
    expect(await count('time=gte.2018-02-06T00:00:00Z&time=lte.2018-02-06T12:00:00')).to.equal(
      (
        await sandbox.query(
          "SELECT id FROM lake.main.earthquakes WHERE time BETWEEN '2018-02-06' AND '2018-02-06 12:00'",
        )
      ).length,
    );
  });

  it('pages with a keyset cursor through exactly the rows of one big query', async () => {
    const expected = (await all()).filter((r) => r.mag !== null && r.mag >= 2).map((r) => r.id);
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const query: string = `/v1/datasets/earthquakes/records?mag=gte.2&order=time.desc&select=id&limit=97${next ? `&cursor=${next}` : ''}`;
      const page: Page = await server.json<Page>(query);
      seen.push(...page.data.map((r) => r.id as string));
      next = page.next;
    } while (next);
    expect(seen).to.deep.equal(expected);
  });

  it('refuses a cursor from another query, and unknown columns, operators and bad values with a 400 naming them', async () => {
    const first = await server.json<Page>('/v1/datasets/earthquakes/records?order=time.desc&limit=2');
    const other = await server.get(
      `/v1/datasets/earthquakes/records?order=mag.desc&limit=2&cursor=${first.next}`,
    );
    expect(other.status).to.equal(400);
    expect(((await other.json()) as { detail: string }).detail).to.match(/different query/);

    const bad = await server.get(
      '/v1/datasets/earthquakes/records?depth=gt.1&mag=between.1&tsunami=eq.maybe&order=size.desc',
    );
    expect(bad.status).to.equal(400);
    expect(bad.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const problem = (await bad.json()) as { errors: { parameter: string; message: string }[] };
    expect(problem.errors.map((e) => e.parameter)).to.have.members(['depth', 'mag', 'tsunami', 'order']);
    expect(problem.errors.find((e) => e.parameter === 'mag')!.message).to.match(/operator/);
    expect(problem.errors.find((e) => e.parameter === 'tsunami')!.message).to.match(/true or false/);
    // The parameters every route reads are checked before the columns: a wrong one is named on its own.
    const limit = await server.json<{ errors: { parameter: string; message: string }[] }>(
      '/v1/datasets/earthquakes/records?limit=0&mag=gte.1',
      400,
    );
    expect(limit.errors).to.deep.equal([{ parameter: 'limit', message: 'must be at least 1' }]);
  });

  it('answers a method a path does not serve with 405 and the methods it does in Allow, on every path', async () => {
    const document = await server.json<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    const values: Record<string, string> = { name: 'earthquakes', key: 'x', id: 'x' };
    for (const [path, item] of Object.entries(document.paths)) {
      const url = new URL(
        path.replace(/\{(\w+)\}/g, (_, p: string) => values[p]!),
        server.url,
      );
      const documented = Object.keys(item).map((m) => m.toUpperCase());
      for (const method of [
        'PUT',
        'DELETE',
        'PATCH',
        'TRACE',
        ...(documented.includes('POST') ? [] : ['POST']),
      ]) {
        // fetch refuses to send TRACE, so every method goes through node:http.
        const answer = await new Promise<{ status: number; allow: string }>((resolve, reject) =>
          request(url, { method, headers: { authorization: `Bearer ${server.admin}` } }, (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, allow: String(response.headers.allow ?? '') });
          })
            .on('error', reject)
            .end(),
        );
        expect(answer.status, `${method} ${path}`).to.equal(405);
        expect(answer.allow.split(/,\s*/), `${method} ${path}`).to.include.members(documented);
      }
    }
  });

  it('reads asOf in every ISO-8601 form a filter takes, an offset after minutes included', async () => {
    const [latest] = await sandbox.query<{ t: string }>(
      "SELECT strftime(max(snapshot_time) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M') AS t FROM lake.snapshots()",
    );
    const nextMinute = new Date(Date.parse(`${latest!.t}Z`) + 60_000).toISOString().slice(0, 16);
    const current = await server.json<Page>('/v1/datasets/earthquakes/records?select=id&limit=1');
    for (const asOf of [`${nextMinute}Z`, `${nextMinute}+00:00`, `${nextMinute.replace('T', ' ')}`]) {
      const page = await server.json<Page>(
        `/v1/datasets/earthquakes/records?select=id&limit=1&asOf=${encodeURIComponent(asOf)}`,
      );
      expect(page.snapshot, asOf).to.equal(current.snapshot);
    }
  });

  it('refuses a NUL character in a query parameter or the path with a 400', async () => {
    const inQuery = await server.get('/v1/datasets/earthquakes/records?id=neq.%00');
    expect(inQuery.status).to.equal(400);
    expect(((await inQuery.json()) as { detail: string }).detail).to.equal(
      'the query parameter "id" contains a NUL character (%00)',
    );
    const inPath = await server.get('/v1/datasets/earthquakes/records/ci%00');
    expect(inPath.status).to.equal(400);
  });

  it('serves one record by key, and 404s for unknown records and datasets', async () => {
    const [first] = await all();
    const record = await server.json<Record<string, unknown>>(
      `/v1/datasets/earthquakes/records/${first!.id}`,
    );
    expect(record.id).to.equal(first!.id);
    const missing = await server.json<{ detail: string }>('/v1/datasets/earthquakes/records/nope', 404);
    expect(missing.detail).to.match(/no record with key nope/);
    const unknown = await server.json<{ detail: string }>('/v1/datasets/volcanoes/records', 404);
    expect(unknown.detail).to.match(/no dataset named "volcanoes" \(known: earthquakes\)/);
  });

  it('writes times as RFC 3339 in UTC everywhere, and filters on them in the same forms, offsets honoured', async () => {
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/;
    const page = await server.json<Page>(
      '/v1/datasets/earthquakes/records?select=id,time&order=time.desc&limit=3',
    );
    const times = page.data.map((r) => r.time as string);
    for (const t of times) expect(t).to.match(rfc3339);
    const [stored] = await sandbox.query<{ t: string }>(
      `SELECT strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS t FROM lake.main.earthquakes WHERE id = ?`,
      [page.data[0]!.id as string],
    );
    expect(times[0]).to.equal(stored!.t);
    const cursorText = Buffer.from(page.next!, 'base64url').toString('utf8');
    expect(cursorText).to.include(times[2]);

    const ndjson = await (
      await server.get('/v1/datasets/earthquakes/records?select=id,time&limit=2&format=ndjson')
    ).text();
    for (const line of ndjson.trim().split('\n'))
      expect((JSON.parse(line) as { time: string }).time).to.match(rfc3339);
    const csv = (
      await (await server.get('/v1/datasets/earthquakes/records?select=time&limit=1&format=csv')).text()
    )
      .trim()
      .split('\r\n');
    expect(csv[1]).to.match(rfc3339);
    const one = await server.json<{ time: string }>(`/v1/datasets/earthquakes/records/${page.data[0]!.id}`);
    expect(one.time).to.equal(times[0]);

    // The same instant written three ways selects the same records; an offset moves the instant.
    const instant = times[1]!;
    const inBerlin = new Date(Date.parse(instant) + 3_600_000).toISOString().replace('Z', '+01:00');
    const count = async (value: string) =>
      (
        await server.json<Page>(
          `/v1/datasets/earthquakes/records?select=id&time=gte.${encodeURIComponent(value)}&limit=1000`,
        )
      ).data.length;
    const utc = await count(instant);
    expect(await count(instant.replace('T', ' ').replace('Z', ''))).to.equal(utc);
    expect(await count(inBerlin)).to.equal(utc);
    expect(utc).to.be.within(2, 999);
    expect(await count(instant.replace('Z', '+01:00'))).to.be.greaterThan(utc);
  });

  it('streams NDJSON and CSV, and exports Parquet that DuckDB reads back', async () => {
    const expected = (await all()).filter((r) => r.mag !== null && r.mag >= 4);
    const ndjson = await server.get(
      '/v1/datasets/earthquakes/records?mag=gte.4&order=time.desc&select=id,mag',
      {
        headers: { accept: 'application/x-ndjson' },
      },
    );
    expect(ndjson.headers.get('content-type')).to.match(/application\/x-ndjson/);
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).to.deep.equal(expected.map((r) => r.id));

    const csv = await (
      await server.get(
        '/v1/datasets/earthquakes/records?mag=gte.4&order=time.desc&select=id,place&format=csv',
      )
    ).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).to.equal('id,place');
    expect(rows).to.have.length(expected.length + 1);
    expect(rows[1]).to.match(new RegExp(`^${expected[0]!.id},"?`));

    const parquet = await server.get('/v1/datasets/earthquakes/records?mag=gte.4&format=parquet');
    expect(parquet.headers.get('content-type')).to.equal('application/vnd.apache.parquet');
    const file = await sandbox.write('export.parquet', '');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Buffer.from(await parquet.arrayBuffer()));
    const n = await countOf(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    expect(n).to.equal(expected.length);
  });

  it('answers 304 to a matching If-None-Match, and marks asOf responses immutable', async () => {
    const path = '/v1/datasets/earthquakes/records?mag=gte.6&order=time.desc';
    const first = await server.get(path);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).to.equal('private, no-cache');
    const again = await server.get(path, { headers: { 'if-none-match': etag } });
    expect(again.status).to.equal(304);
    const reordered = await server.get('/v1/datasets/earthquakes/records?order=time.desc&mag=gte.6', {
      headers: { 'if-none-match': etag },
    });
    expect(reordered.status, 'the same query with its parameters reordered').to.equal(304);
    const snapshot = (await first.json()) as Page;
    const pinned = await server.get(`${path}&asOf=${snapshot.snapshot}`);
    expect(pinned.headers.get('cache-control')).to.match(/immutable/);
  });

  it('lists snapshots, runs and (for admin keys) quarantine', async () => {
    const snapshots = await server.json<{ data: { snapshot_id: number; run_id: string }[] }>(
      '/v1/datasets/earthquakes/snapshots',
    );
    expect(snapshots.data).to.have.length(1);
    const runs = await server.json<{ data: { run_id: string; snapshot_id: number }[] }>(
      '/v1/runs?dataset=earthquakes',
    );
    expect(runs.data[0]!.run_id).to.equal(snapshots.data[0]!.run_id);
    expect(runs.data[0]!.snapshot_id).to.equal(snapshots.data[0]!.snapshot_id);
    // The run the API serves is the run the pipeline returned (and `odp ingest --json` printed): same fields.
    expect(runs.data[0]).to.deep.equal(ingested);
    expect(ingested.started_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    await server.json('/v1/datasets/earthquakes/quarantine', 403);
    const quarantine = await server.json<{ data: unknown[] }>('/v1/datasets/earthquakes/quarantine', 200, {
      scope: 'admin',
    });
    expect(quarantine.data).to.be.an('array');
  });

  it('publishes an OpenAPI 3.1 document that validates and whose every route exists', async () => {
    const document = await server.json<{
      paths: Record<string, { get?: { parameters: { name: string; in: string }[] }; post?: unknown }>;
    }>('/openapi.json', 200, { key: null });
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    const [first] = await all();
    const [snapshot] = await sandbox.query<{ id: number }>(
      'SELECT max(snapshot_id)::INT AS id FROM lake.snapshots()',
    );
    const values: Record<string, string> = { name: 'earthquakes', key: first!.id, id: ingested.run_id };
    // Every GET exists; the POSTs (an operator starting runs) are exercised in operations.test.ts.
    expect(Object.values(document.paths).filter((item) => item.post)).to.have.length(2);
    for (const [path, item] of Object.entries(document.paths)) {
      if (!item.get) continue;
      const required = item.get.parameters.filter((p) => p.in === 'query' && p.name === 'from');
      const url =
        path.replace(/\{(\w+)\}/g, (_, p: string) => values[p]!) +
        (required.length ? `?from=${snapshot!.id}` : '');
      const response = await server.get(url, { scope: 'admin' });
      expect(response.status, `${path} → ${url}`).to.equal(200);
    }
    const records = document.paths['/v1/datasets/earthquakes/records']!.get!.parameters.map((p) => p.name);
    expect(records).to.include.members(['mag', 'place', 'magnitude_class', 'limit', 'cursor', 'asOf']);
  });

  it('renders /docs without a key, with its assets from the installed package', async () => {
    const page = await server.get('/docs', { key: null });
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('swagger-ui-bundle.js');
    const asset = await server.get('/docs/swagger-ui-bundle.js', { key: null });
    expect(asset.status).to.equal(200);
    expect((await asset.text()).length).to.be.greaterThan(100_000);
  });

  it('answers 404 for any other name under /docs and /console, also those every object inherits', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'nope.js']) {
      for (const folder of ['/docs', '/console']) {
        const response = await server.get(`${folder}/${name}`, { key: null });
        expect(response.status, `${folder}/${name}`).to.equal(404);
        expect(response.headers.get('content-type')).to.match(/problem\+json/);
      }
    }
  });

  it('exposes request latency by route and status on /metrics, and a request id on every response', async () => {
    const response = await server.get('/healthz', { key: null, headers: { 'x-request-id': 'trace-42' } });
    expect(response.headers.get('x-request-id')).to.equal('trace-42');
    const text = await (await server.get('/metrics', { scope: 'admin' })).text();
    expect(text).to.match(
      /odp_http_request_duration_seconds_count\{method="GET",route="\/v1\/datasets\/:name\/records",status="200"\} \d+/,
    );
    expect(text).to.include('odp_ingest_runs_total');
  });

  it("exposes memory on /metrics: resident, the JS heap, and DuckDB's own by tag", async () => {
    const text = await (await server.get('/metrics', { scope: 'admin' })).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    expect(value(/^process_resident_memory_bytes (\S+)$/m)).to.be.greaterThan(0);
    expect(value(/^nodejs_heap_size_used_bytes (\S+)$/m)).to.be.greaterThan(0);
    // The catalog's tables live in DuckDB's memory once the lake is attached.
    expect(value(/^odp_engine_memory_bytes\{tag="BASE_TABLE"\} (\S+)$/m)).to.be.greaterThan(0);
  });
});
