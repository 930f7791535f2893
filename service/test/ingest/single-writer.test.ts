import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { OdpError } from '../../src/errors.js';
import { logged, odp } from '../fixtures/cli.js';
import { Feed } from '../fixtures/feed.js';
import { ndjson, readingsBatch, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

/** Enough rows that a run takes a noticeable while, so it can be killed at different stages. */
const ROWS = 200_000;
const bigBatch = () => readingsBatch(ROWS);

describe('a run commits all of its batch or none of it, and one writer at a time', function () {
  this.timeout(240_000);
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
  });
  afterEach(() => sandbox.close());

  it('refuses a second writer of the same dataset while a run holds its lease, naming the holder', async () => {
    // The first run's source answers only when the test says so: the run holds its lease from before it fetches.
    const feed = await Feed.start();
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    feed.answer((_req, res) => void answered.then(() => res.end(bigBatch())));
    try {
      await sandbox.write('readings.yaml', readingsDataset({ source: feed.url }));
      await sandbox.open();
      const first = sandbox.ingest('readings');
      while (feed.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await sandbox.ingest('readings').then(
        () => undefined,
        (error: unknown) => error,
      );
      answer();
      expect(second).to.be.instanceOf(OdpError);
      expect((second as OdpError).code).to.equal('lease-held');
      const holder = await first;
      expect((second as OdpError).message).to.match(
        new RegExp(
          `^readings is being ingested by run ${holder.run_id}; run \\S+-readings-\\w+ was refused$`,
        ),
      );
      expect(holder.inserted).to.equal(ROWS);
    } finally {
      answer();
      await feed.stop();
    }
  });

  it('leaves all or nothing of a batch when the writer is killed at any point, and the next run recovers', async () => {
    await sandbox.write('readings.ndjson', bigBatch());
    // The run logs each stage as it starts (debug level); the kills land at each one, and inside the commit.
    const killPoints: [stage: string, afterMs: number][] = [
      ['source', 0],
      ['stage', 0],
      ['screen', 0],
      ['validate', 5],
      ['dedup', 0],
      ['increment', 0],
      ['commit', 0],
      ['commit', 20],
      ['commit', 80],
      ['commit', 250],
      ['commit', 700],
      ['commit', 1500],
    ];
    const outcomes: string[] = [];
    for (const [stage, afterMs] of killPoints) {
      const run = odp(['ingest', 'readings'], { ...sandbox.env, ODP_LOG_LEVEL: 'debug' });
      await logged(run, `"stage":"${stage}","msg":"${stage} started"`);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      run.child.kill('SIGKILL');
      const finished = await run.done;
      await sandbox.open();
      const [state] = await sandbox.query<{ tables: string; runs: string }>(
        `SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND table_name = 'readings') AS tables,
                (SELECT count(*) FROM lake.odp.runs WHERE status = 'succeeded') AS runs`,
      );
      const rows =
        state?.tables === '1'
          ? Number((await sandbox.query<{ n: string }>('SELECT count(*) AS n FROM lake.main.readings'))[0]?.n)
          : 0;
      // Either the kill came before the commit (nothing) or after it (everything, with its run record).
      expect([0, ROWS]).to.include(rows);
      expect(Number(state?.runs) > 0).to.equal(rows === ROWS);
      if (finished.signal !== 'SIGKILL') expect(finished.code, finished.stderr).to.equal(0);
      outcomes.push(`${stage}+${afterMs}ms:${finished.signal === 'SIGKILL' ? 'killed' : 'finished'}:${rows}`);
      sandbox.runtime?.close();
      sandbox.runtime = undefined;
    }
    console.log(`      kill outcomes: ${outcomes.join(', ')}`);
    const last = await sandbox.ingest('readings');
    expect(last.status).to.equal('succeeded');
    const [stored] = await sandbox.query<{ n: string; keys: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS keys FROM lake.main.readings',
    );
    expect(Number(stored?.n)).to.equal(ROWS);
    expect(stored?.keys).to.equal(stored?.n);
    // Every stage start was reached and killed; a late kill in the commit may find the run already done.
    expect(outcomes.filter((o) => o.includes(':killed:')).length, outcomes.join(', ')).to.be.at.least(9);
  });

  it('posts a Slack-compatible notification when a run quarantines records', async () => {
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      await sandbox.write(
        'readings.ndjson',
        ndjson([
          { id: 'a', v: 1, value: -1 },
          { id: 'b', v: 1, value: 1 },
        ]),
      );
      await sandbox.open({
        ODP_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      });
      const run = await sandbox.ingest('readings');
      expect(received).to.deep.equal([
        {
          text: `ODP: 1 of 2 readings records quarantined in run ${run.run_id}. Top reasons: rule:non-negative (1). See \`odp quarantine list readings\`.`,
        },
      ]);
    } finally {
      hook.close();
    }
  });
});
