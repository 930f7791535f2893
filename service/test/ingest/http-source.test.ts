import { expect } from 'chai';
import { Feed } from '../fixtures/feed.js';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

const body = ndjson([
  { id: 'a', v: 1, value: 1 },
  { id: 'b', v: 1, value: 2 },
]);

describe('an http source', () => {
  let sandbox: Sandbox;
  let feed: Feed;

  before(async () => {
    feed = await Feed.start();
  });
  after(() => feed.stop());

  beforeEach(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write(
      'readings.yaml',
      readingsDataset({ source: feed.url }).replace(
        'source:\n',
        'source:\n  timeoutSeconds: 1\n  retries: 3\n',
      ),
    );
  });
  afterEach(() => sandbox.close());

  it('retries 5xx answers and succeeds once the server recovers', async () => {
    feed.answer((_req, res, attempt) =>
      attempt < 3 ? res.writeHead(503).end() : res.writeHead(200).end(body),
    );
    const run = await sandbox.ingest('readings');
    expect(run.status, run.error ?? '').to.equal('succeeded');
    expect(run.inserted).to.equal(2);
    expect(feed.requests).to.have.length(3);
  });

  it('honours Retry-After before trying again', async () => {
    const seen: number[] = [];
    feed.answer((_req, res, attempt) => {
      seen.push(Date.now());
      if (attempt === 1) res.writeHead(503, { 'retry-after': '2' }).end();
      else res.writeHead(200).end(body);
    });
    const run = await sandbox.ingest('readings');
    expect(run.status).to.equal('succeeded');
    expect(seen[1]! - seen[0]!).to.be.at.least(1900);
  });

  it('retries a source that does not answer in time', async () => {
    feed.answer((_req, res, attempt) => {
      if (attempt === 1) setTimeout(() => res.writeHead(200).end(body), 1500);
      else res.writeHead(200).end(body);
    });
    const run = await sandbox.ingest('readings');
    expect(run.status, run.error ?? '').to.equal('succeeded');
    expect(feed.requests.length).to.be.at.least(2);
  });

  it('records a failed run that says why, and commits no data, when the source stays down', async () => {
    feed.answer((_req, res) => res.writeHead(500, 'Internal Server Error').end());
    const run = await sandbox.ingest('readings');
    expect(run.status).to.equal('failed');
    expect(run.error).to.equal(
      `readings: fetching ${feed.url} failed after 4 attempt(s): the server answered 500 Internal Server Error`,
    );
    expect(feed.requests).to.have.length(4);
    const [stored] = await sandbox.query<{ n: string }>(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'lake' AND table_name = 'readings'",
    );
    expect(stored?.n).to.equal('0');
    const [recorded] = await sandbox.query<{ status: string; error: string }>(
      'SELECT status, error FROM lake.odp.runs',
    );
    expect(recorded).to.deep.equal({ status: 'failed', error: run.error });
  });

  it('sends the previous ETag and Last-Modified, and an unchanged feed (304) costs no ingest', async () => {
    feed.answer((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { etag: '"v1"', 'last-modified': 'Mon, 23 Nov 2026 10:00:00 GMT' }).end(body);
    });
    const first = await sandbox.ingest('readings');
    expect(first.inserted).to.equal(2);
    const second = await sandbox.ingest('readings');
    expect(feed.requests.at(-1)?.headers['if-modified-since']).to.equal('Mon, 23 Nov 2026 10:00:00 GMT');
    expect(second).to.include({ status: 'not-modified', received: 0, inserted: 0, snapshot_id: null });
    expect(second.increments).to.deep.equal([]);
  });
});
