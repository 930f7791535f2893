import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { ckanDatastore, type Permit, permits, permitsDataset } from '../fixtures/ckan.js';
import { Feed } from '../fixtures/feed.js';
import { balanced, bundledDatasets, Sandbox } from '../fixtures/sandbox.js';

const SECRET = 'token-that-must-not-leak';

describe('a paged API source', () => {
  let sandbox: Sandbox;
  let feed: Feed;
  let api: string;

  before(async () => {
    feed = await Feed.start();
    api = `${new URL(feed.url).origin}/api/3/action/datastore_search?resource_id=permits-2026`;
  });
  after(() => feed.stop());
  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  const tables = async () =>
    sandbox.query<{ n: string }>(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'lake' AND table_name = 'permits'",
    );

  it('stores every record of a 25-page API once, through a 503, a Retry-After and a body cut mid-page, and nothing on an unchanged re-run', async () => {
    await sandbox.write('token.txt', `${SECRET}\n`);
    await sandbox.write(
      'permits.yaml',
      permitsDataset(
        api,
        '  headers: { X-Api-Key: { secretFile: token.txt } }\n  query: { apikey: { secretFile: token.txt } }',
      ),
    );
    const failedOnce = new Set<number>();
    feed.answer(
      ckanDatastore(permits(100), (offset, _req, res) => {
        if ((offset === 24 || offset === 60) && !failedOnce.has(offset)) {
          failedOnce.add(offset);
          res.writeHead(503, offset === 60 ? { 'retry-after': '1' } : {}).end();
          return true;
        }
        if (offset === 40 && !failedOnce.has(offset)) {
          // The headers promise a whole page; the connection drops after a part of it.
          failedOnce.add(offset);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          res.write('{"success": true, "result": {"records": [');
          setImmediate(() => res.destroy());
          return true;
        }
        return false;
      }),
    );
    const run = await sandbox.ingest('permits');
    expect(run.status, run.error ?? '').to.equal('succeeded');
    expect(run).to.include({ received: 100, inserted: 100, quarantined: 0 });
    expect(balanced(run)).to.equal(true);
    // 25 pages of records, the empty 26th that ends the walk, and the three pages asked for again.
    expect(failedOnce).to.deep.equal(new Set([24, 40, 60]));
    expect(feed.requests).to.have.length(29);
    expect(run.increments).to.have.length(26);
    expect(feed.requests.every((r) => r.headers['x-api-key'] === SECRET)).to.equal(true);
    expect(feed.requests.every((r) => r.url?.includes(`apikey=${SECRET}`))).to.equal(true);
    const stored = await sandbox.query<{ n: string; ids: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM lake.main.permits',
    );
    expect(stored).to.deep.equal([{ n: '100', ids: '100' }]);
    const recorded = await sandbox.query('SELECT * FROM lake.odp.runs');
    expect(JSON.stringify(recorded, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.to.contain(
      SECRET,
    );

    const again = await sandbox.ingest('permits');
    expect(again).to.include({ status: 'not-modified', received: 0, inserted: 0, snapshot_id: null });
    expect(again.increments).to.deep.equal([]);
  });

  it('keeps the digest of its pages as a validator of its own, also in a lake whose runs table predates it', async () => {
    await sandbox.write('permits.yaml', permitsDataset(api));
    feed.answer(ckanDatastore(permits(10)));
    expect(await sandbox.ingest('permits')).to.include({ status: 'succeeded', inserted: 10 });
    const kept = () =>
      sandbox.query<{ source_etag: string | null; source_digest: string | null }>(
        "SELECT source_etag, source_digest FROM lake.odp.runs WHERE status = 'succeeded' ORDER BY started_at",
      );
    const [first] = await kept();
    // Not an ETag: no server sent one, and a reader of the runs table should not take the digest for one.
    expect(first?.source_etag).to.equal(null);
    expect(first?.source_digest).to.match(/^sha256:[0-9a-f]{64}$/);

    // A lake from before the digest had its own column: opening it adds the column, and the walk stores again.
    await sandbox.query('ALTER TABLE lake.odp.runs DROP COLUMN source_digest');
    await sandbox.open();
    const rerun = await sandbox.ingest('permits');
    expect(rerun).to.include({ status: 'succeeded', inserted: 0, unchanged: 10 });
    expect((await kept()).map((r) => r.source_digest)).to.deep.equal([null, first?.source_digest]);
    expect(await sandbox.ingest('permits')).to.include({ status: 'not-modified' });
  });

  it('keeps every page in the raw increment and names the page of a quarantined record', async () => {
    await sandbox.write('permits.yaml', permitsDataset(api));
    const records = permits(12);
    records[6] = { ...records[6]!, amount: 'lots' };
    feed.answer(ckanDatastore(records));
    const run = await sandbox.ingest('permits');
    expect(run).to.include({ status: 'succeeded', received: 12, inserted: 11, quarantined: 1 });
    const store = path.join(sandbox.dir, 'data', 'increments');
    const pages = await Promise.all(run.increments.map((key) => readFile(path.join(store, key), 'utf8')));
    expect(
      pages.map((p) => (JSON.parse(p) as { result: { records: unknown[] } }).result.records.length),
    ).to.deep.equal([4, 4, 4, 0]);
    const [quarantined] = await sandbox.query<{ reason: string }>('SELECT reason FROM lake.odp.quarantine');
    expect(quarantined?.reason).to.equal('page 2, record 3: amount: lots is not a valid DOUBLE');
  });

  it('fails the run, naming the page, when a page is not JSON: the next page cannot be known', async () => {
    await sandbox.write('permits.yaml', permitsDataset(api));
    feed.answer(
      ckanDatastore(permits(40), (offset, _req, res) => {
        if (offset !== 8) return false;
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Maintenance</html>');
        return true;
      }),
    );
    const run = await sandbox.ingest('permits');
    expect(run.status).to.equal('failed');
    expect(run.error).to.match(
      /^permits: page 3 \(http:\/\/127\.0\.0\.1:\d+\/api\/3\/action\/datastore_search\?resource_id=permits-2026&limit=4&offset=8\) cannot be read, so the next page is unknown: it is not valid JSON$/,
    );
    expect(await tables()).to.deep.equal([{ n: '0' }]);
  });

  it('fails the run and commits nothing when a page keeps failing', async () => {
    await sandbox.write('permits.yaml', permitsDataset(api));
    feed.answer(
      ckanDatastore(permits(40), (offset, _req, res) => {
        if (offset !== 20) return false;
        res.writeHead(502, 'Bad Gateway').end();
        return true;
      }),
    );
    const run = await sandbox.ingest('permits');
    expect(run.status).to.equal('failed');
    expect(run.error).to.equal(
      `permits: fetching page 6 (${new URL('/api/3/action/datastore_search?resource_id=permits-2026&limit=4&offset=20', api)}) failed after 3 attempt(s): the server answered 502 Bad Gateway`,
    );
    expect(await tables()).to.deep.equal([{ n: '0' }]);
    expect(await sandbox.query('SELECT count(*)::INTEGER AS n FROM lake.odp.quarantine')).to.deep.equal([
      { n: 0 },
    ]);
  });

  it('asks for a page no more than its retries allow when its body is cut, alone or between failed answers', async () => {
    await sandbox.write('permits.yaml', permitsDataset(api));
    const cases = [
      ['every body cut', () => true, /its body was cut: /],
      ['a 503, then a cut body, in turn', (asked: number) => asked % 2 === 0, /the server answered 503/],
    ] as const;
    for (const [name, cut, reason] of cases) {
      let asked = 0;
      feed.answer(
        ckanDatastore(permits(40), (offset, _req, res) => {
          if (offset !== 20) return false;
          asked++;
          if (!cut(asked)) {
            res.writeHead(503).end();
            return true;
          }
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          res.write('{"success": true, "result": {"records": [');
          setImmediate(() => res.destroy());
          return true;
        }),
      );
      const run = await sandbox.ingest('permits');
      expect(run.status, name).to.equal('failed');
      expect(run.error, name).to.contain('page 6').and.contain('failed after 3 attempt(s)').and.match(reason);
      // retries: 2 — three requests in all, whatever mix of failures they met.
      expect(asked, `${name}: requests for the page`).to.equal(3);
      expect(await tables(), name).to.deep.equal([{ n: '0' }]);
    }
  });
});

describe('each paginator walks its API to the end', () => {
  let sandbox: Sandbox;
  let feed: Feed;
  before(async () => {
    feed = await Feed.start();
  });
  after(() => feed.stop());
  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  const all = permits(10);
  /** Serves `all` three at a time from `from`, with what the paginator reads (a body, a header) added by `shape`. */
  const serve = (
    from: (url: URL) => number,
    shape: (slice: Permit[], next: number, url: URL) => { body: unknown; headers?: Record<string, string> },
  ) =>
    feed.answer((req, res) => {
      const url = new URL(req.url ?? '/', feed.url);
      const start = from(url);
      const { body, headers = {} } = shape(all.slice(start, start + 3), start + 3, url);
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    });

  /**
   * Whether the pages were asked for in this order. Offset and page paginators may also ask ahead for the page
   * after a full one, and abandon it when the page turns out to be the last or short; such a request may or may
   * not reach the server first.
   */
  const kept = (asked: string[], pages: string[]) => {
    let at = 0;
    for (const query of asked) if (query === pages[at]) at++;
    return at === pages.length;
  };

  const walk = async (pages: string, records: string) => {
    await sandbox.write(
      'permits.yaml',
      permitsDataset(feed.url, '')
        .replace(/pages: .*/, `pages: ${pages}`)
        .replace(/records: .*/, `records: ${records}`),
    );
    const run = await sandbox.ingest('permits');
    expect(run, run.error ?? '').to.include({ status: 'succeeded', received: 10, inserted: 10 });
    return feed.requests.map((r) => new URL(r.url ?? '/', feed.url).search);
  };

  it('offset and limit, ArcGIS-style: on while the body says the transfer limit was exceeded, by what arrived', async () => {
    // The server caps pages at two records, below the three asked for, and says so.
    serve(
      (url) => Number(url.searchParams.get('resultOffset')),
      (features, next) => ({
        body: { features: features.slice(0, 2), exceededTransferLimit: next - 1 < all.length },
      }),
    );
    const asked = await walk(
      '{ kind: offset, offsetParam: resultOffset, limitParam: resultRecordCount, size: 3, more: $.exceededTransferLimit }',
      '$.features[*]',
    );
    expect(
      kept(
        asked,
        [0, 2, 4, 6, 8].map((o) => `?resultOffset=${o}&resultRecordCount=3`),
      ),
    ).to.equal(true);
  });

  it('page numbers: a page shorter than the size is the last', async () => {
    serve(
      (url) => (Number(url.searchParams.get('page')) - 1) * 3,
      (items) => ({ body: items }),
    );
    const asked = await walk('{ kind: page, size: 3 }', '$[*]');
    expect(
      kept(
        asked,
        [1, 2, 3, 4].map((p) => `?page=${p}&per_page=3`),
      ),
    ).to.equal(true);
    expect(asked.filter((q) => q === '?page=6&per_page=3')).to.deep.equal([]);
  });

  it('an RFC 8288 Link header, among other relations, until there is no rel="next"', async () => {
    serve(
      (url) => Number(url.searchParams.get('since') ?? 0),
      (items, next, url) => ({
        body: items,
        headers:
          next < all.length
            ? {
                link: `<${url.origin}/feed.ndjson?since=0>; rel="first", </feed.ndjson?since=${next}>; rel="next"`,
              }
            : {},
      }),
    );
    expect(await walk('{ kind: link-header }', '$[*]')).to.deep.equal([
      '',
      '?since=3',
      '?since=6',
      '?since=9',
    ]);
  });

  it('a cursor in the body, sent back until it is null', async () => {
    serve(
      (url) => Number(url.searchParams.get('after')?.replace('c', '') ?? 0),
      (data, next) => ({ body: { data, meta: { next: next < all.length ? `c${next}` : null } } }),
    );
    expect(
      await walk('{ kind: cursor, cursor: $.meta.next, cursorParam: after }', '$.data[*]'),
    ).to.deep.equal(['', '?after=c3', '?after=c6', '?after=c9']);
  });
});

describe('paged sources are checked when their definition is read', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  it('ingests the dati.gov.it catalogue from its bundled page', async () => {
    await sandbox.open({ ODP_DATASETS: bundledDatasets });
    const run = await sandbox.ingest('catalogo');
    expect(run).to.include({ status: 'succeeded', received: 5, inserted: 5, quarantined: 0 });
    const [first] = await sandbox.query(
      'SELECT name, publisher, resources FROM lake.main.catalogo ORDER BY id LIMIT 1',
    );
    expect(first).to.deep.equal({
      name: 'qualita-aria-milano-2025',
      publisher: 'Comune di Milano',
      resources: 3,
    });
  });

  it('refuses a next link that is not JSONPath, a body path on NDJSON pages and an unreadable secret, naming each field', async () => {
    await sandbox.write(
      'permits.yaml',
      permitsDataset(
        'https://example.org/api',
        '  headers: { Authorization: { secretFile: /run/secrets/absent } }',
      ).replace('next: $.result._links.next', 'next: "$.result._links[next"'),
    );
    await sandbox.write(
      'lines.yaml',
      `name: lines
schedule: "0 * * * *"
source:
  format: ndjson
  live: https://example.org/lines
  pages: { kind: cursor, cursor: $.next }
key: [id]
columns: [{ name: id, type: VARCHAR }]
`,
    );
    const refused = await sandbox.open().catch((error: unknown) => error as Error);
    expect(refused).to.be.instanceOf(Error);
    const message = (refused as Error).message;
    expect(message).to.contain(`${sandbox.datasetsDir}/lines.yaml: invalid dataset definition:`);
    expect(message).to.contain('source.pages.cursor: an NDJSON page has no single body to find it in');
    await rm(path.join(sandbox.datasetsDir, 'lines.yaml'));
    const second = (await sandbox.open().catch((error: unknown) => error as Error)) as Error;
    expect(second.message).to.contain(`${sandbox.datasetsDir}/permits.yaml: invalid dataset definition:`);
    expect(second.message).to.match(
      /source\.pages\.next: \$\.result\._links\[next is not a JSON path DuckDB can read/,
    );
    await sandbox.write(
      'permits.yaml',
      permitsDataset(
        'https://example.org/api',
        '  headers: { Authorization: { secretFile: /run/secrets/absent } }',
      ),
    );
    const third = (await sandbox.open().catch((error: unknown) => error as Error)) as Error;
    expect(third.message).to.contain(
      'source.headers.Authorization.secretFile: cannot read /run/secrets/absent',
    );
  });
});
