import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { KeyStore } from '../../src/access/keys.js';
import { loadConfig } from '../../src/config/config.js';
import type { Run } from '../../src/journal/run.js';
import { rows } from '../../src/lake/query.js';
import { createLogger } from '../../src/log.js';
import { openRuntime } from '../../src/runtime.js';
import { Relay } from '../../standins/relay.js';
import type { ScaleOut } from '../../standins/scaleOut.js';
import { type Finished, logged, odp } from '../fixtures/cli.js';
import { Feed } from '../fixtures/feed.js';
import { Replica } from '../fixtures/replica.js';
import { readingsBatch, readingsDataset } from '../fixtures/sandbox.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';

/** Enough rows that a run lasts a few seconds, so a fault lands inside the stage it aims at. */
const ROWS = 150_000;
const batch = (v: number) => readingsBatch(ROWS, v);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a fault costs, printed as the fault matrix when the file ends. */
interface Outcome {
  fault: string;
  seen: string;
  recoveredMs: number;
  lost: number;
}

describe('scale-out: faults of PostgreSQL, storage, the source and the process', function () {
  this.timeout(300_000);
  let stack: ScaleOut;
  let replica: Replica;
  let readKey: string;
  let adminKey: string;
  let feed: Feed;
  /** Blob storage as the service reaches it: through a relay the tests cut. */
  let storage: Relay;
  const outcomes: Outcome[] = [];

  const env = (): NodeJS.ProcessEnv => {
    const base = stack.env();
    const relayed = (url: string | undefined) => url?.replace(`:${stack.azurite.port}/`, `:${storage.port}/`);
    return {
      ...base,
      ODP_AZURE_BLOB_ENDPOINT: relayed(base.ODP_AZURE_BLOB_ENDPOINT),
      ODP_INCREMENTS: relayed(base.ODP_INCREMENTS),
      ODP_API_KEYS_FILE: path.join(stack.dir, 'api-keys.json'),
    };
  };

  before(async () => {
    stack = await startReadingsStack();
    storage = await Relay.to(stack.azurite.port);
    // The lake this test process opens to look at what the replicas stored.
    process.env.PGPASSWORD = stack.rolePassword;
    feed = await Feed.start();
    await writeFile(
      path.join(stack.datasets, 'feed.yaml'),
      readingsDataset({ source: feed.url })
        .replace('name: readings', 'name: feed')
        .replace('source:\n', 'source:\n  timeoutSeconds: 2\n  retries: 1\n'),
    );
    const keys = new KeyStore(env().ODP_API_KEYS_FILE as string);
    readKey = (await keys.create('reader', 'read')).key;
    adminKey = (await keys.create('operator', 'admin')).key;
    await writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(1));
    const first = await odp(['ingest', 'readings'], env()).done;
    expect(first.code, first.stderr).to.equal(0);
    replica = await Replica.start(env());
  });
  after(async () => {
    await replica?.stop();
    await feed?.stop();
    await storage?.close();
    await stack?.stop();
    delete process.env.PGPASSWORD;
    if (outcomes.length) {
      console.log('\n      fault | what the user sees | time to recover | records lost');
      for (const o of outcomes) {
        console.log(`      ${o.fault} | ${o.seen} | ${(o.recoveredMs / 1000).toFixed(1)} s | ${o.lost}`);
      }
    }
  });

  /** The lake as a new process sees it: rows of the dataset by version, and its runs, newest first. */
  async function lake(dataset = 'readings') {
    const runtime = await openRuntime(loadConfig(env()), createLogger('silent'));
    try {
      return await runtime.lake.session(async (c) => ({
        versions: await rows<{ v: number; n: number; keys: number }>(
          c,
          `SELECT v, count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS keys FROM lake.main.${dataset} GROUP BY v`,
        ),
        runs: await rows<{ status: string; error: string | null }>(
          c,
          `SELECT status, error FROM lake.odp.runs WHERE dataset = '${dataset}' ORDER BY started_at DESC`,
        ),
      }));
    } finally {
      runtime.close();
    }
  }

  /**
   * `odp ingest readings` with `fault` injected `afterMs` after the run starts `stage` (from its debug log). The
   * fault is told when the run ends. A run that ends without logging the stage fails the test: its fault was never
   * injected, so nothing it asserts afterwards would be about the fault.
   */
  async function ingestWithFault(
    stage: string,
    afterMs: number,
    fault: (ended: Promise<Finished>) => Promise<void>,
  ): Promise<{ finished: Finished; faulted: Promise<void> }> {
    const run = odp(['ingest', 'readings', '--json'], { ...env(), ODP_LOG_LEVEL: 'debug' });
    await logged(run, `"msg":"${stage} started"`);
    await sleep(afterMs);
    const faulted = fault(run.done);
    return { finished: await run.done, faulted };
  }

  /** The batch of version `v` is either stored whole or not at all, and the next run stores it exactly once. */
  async function expectAllOrNothingThenRecovery(v: number, started: number): Promise<number> {
    const after = await lake();
    const versions = new Map(after.versions.map((row) => [row.v, row]));
    expect(versions.get(v), 'no partial batch is visible').to.equal(undefined);
    expect(after.versions.reduce((sum, row) => sum + row.n, 0)).to.equal(ROWS);
    const next = await odp(['ingest', 'readings', '--json'], env()).done;
    expect(next.code, next.stderr).to.equal(0);
    const recovered = Date.now() - started;
    const stored = await lake();
    expect(stored.versions).to.deep.equal([{ v, n: ROWS, keys: ROWS }]);
    return recovered;
  }

  it('PostgreSQL restarting during a run: the run fails and is recorded, nothing of it shows, the next run stores it', async () => {
    await writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(2));
    const started = Date.now();
    const { finished, faulted } = await ingestWithFault('commit', 100, async () => {
      await stack.postgres.halt();
      await sleep(1_000);
      await stack.postgres.resume();
    });
    await faulted;
    expect(finished.code, finished.stdout + finished.stderr).to.equal(1);
    const failed = JSON.parse(finished.stdout) as Run;
    expect(failed.status).to.equal('failed');
    expect(failed.error).to.match(
      /^readings: (the lake's catalog \(PostgreSQL\) stopped answering|the engine failed) during commit: /,
    );
    const [recorded] = (await lake()).runs;
    expect(recorded).to.deep.include({ status: 'failed', error: failed.error });
    const recoveredMs = await expectAllOrNothingThenRecovery(2, started);
    outcomes.push({
      fault: 'PostgreSQL restarts during a run',
      seen: 'run failed (recorded, with reason)',
      recoveredMs,
      lost: 0,
    });
  });

  it('PostgreSQL restarting while clients read: 503s that say why, then answers again without a restart', async () => {
    const read = () => replica.get('/v1/datasets/readings/records?limit=5&value=gte.10', readKey);
    expect((await read()).status).to.equal(200);
    await stack.postgres.halt();
    let during: Response;
    let problem: { detail: string };
    try {
      during = await read();
      problem = (await during.json()) as { detail: string };
    } finally {
      await stack.postgres.resume();
    }
    expect(during.status, problem.detail).to.equal(503);
    expect(during.headers.get('retry-after')).to.equal('5');
    expect(problem.detail).to.equal("the lake's catalog (PostgreSQL) does not answer; retry shortly");
    const down = Date.now();
    let recoveredMs = -1;
    while (Date.now() - down < 60_000) {
      const response = await read();
      await response.arrayBuffer();
      if (response.status === 200) {
        recoveredMs = Date.now() - down;
        break;
      }
      await sleep(200);
    }
    expect(recoveredMs, 'reads answer again within a minute of PostgreSQL coming back').to.be.at.least(0);
    outcomes.push({
      fault: 'PostgreSQL restarts during reads',
      seen: `503 (${problem.detail.slice(0, 60)}…)`,
      recoveredMs,
      lost: 0,
    });
  });

  it('PostgreSQL unreachable at start: serve stops with a message naming the catalog, and starts once it is back', async () => {
    await stack.postgres.halt();
    const started = Date.now();
    const refused = await Replica.start(env())
      .then(
        () => undefined,
        (error: Error) => error.message,
      )
      .finally(() => stack.postgres.resume());
    expect(refused).to.match(/cannot attach the lake: .*127\.0\.0\.1.*refused/is);
    const again = await Replica.start(env());
    const recoveredMs = Date.now() - started;
    await again.stop();
    outcomes.push({
      fault: 'PostgreSQL unreachable at start',
      seen: 'serve exits 1 naming the catalog',
      recoveredMs,
      lost: 0,
    });
  });

  it('storage away for 2 s during the increment upload and the commit: the run rides through on retries', async () => {
    await writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(3));
    const started = Date.now();
    const before = storage.turnedAway;
    // Away for 2 s, and longer if need be until the run has met the outage: a cut it never met proves nothing.
    const blip = async (ended: Promise<Finished>) => {
      storage.cut();
      let over = false;
      void ended.then(() => {
        over = true;
      });
      await sleep(2_000);
      while (storage.turnedAway === before && !over) await sleep(50);
      storage.restore();
    };
    // The increment's upload starts with the source and runs while the batch is staged.
    const { finished, faulted } = await ingestWithFault('stage', 0, blip);
    await faulted;
    expect(storage.turnedAway - before, 'connections of the run turned away by the outage').to.be.above(0);
    expect(finished.code, finished.stderr).to.equal(0);
    expect((JSON.parse(finished.stdout) as Run).updated).to.equal(ROWS);
    expect((await lake()).versions).to.deep.equal([{ v: 3, n: ROWS, keys: ROWS }]);
    outcomes.push({
      fault: 'Azurite away 2 s during the upload',
      seen: 'nothing: the run succeeds on retries',
      recoveredMs: Date.now() - started,
      lost: 0,
    });
  });

  it('storage away for 20 s from the commit on: the run fails, is recorded once storage is back, and the next run stores it', async () => {
    await writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(4));
    const started = Date.now();
    let gaveUpMs = 0;
    const { finished, faulted } = await ingestWithFault('commit', 50, async () => {
      storage.cut();
      await sleep(20_000);
      storage.restore();
    });
    gaveUpMs = Date.now() - started;
    await faulted;
    expect(finished.code, finished.stdout + finished.stderr).to.equal(1);
    const failed = JSON.parse(finished.stdout) as Run;
    expect(failed.error).to.match(/^readings: the lake's storage stopped answering during commit: /);
    const [recorded] = (await lake()).runs;
    expect(recorded).to.deep.include({ status: 'failed', error: failed.error });
    const recoveredMs = await expectAllOrNothingThenRecovery(4, started);
    outcomes.push({
      fault: 'Azurite away during the commit',
      seen: `run failed; recorded once storage was back; process ended after ${(gaveUpMs / 1000).toFixed(0)} s`,
      recoveredMs,
      lost: 0,
    });
  });

  it('a source that stops mid-body: the run fails with the reason, commits nothing, and the next run stores all', async () => {
    const records = Array.from({ length: 2_000 }, (_, i) => `{"id":"f${i}","v":1,"value":${i},"label":"x"}`);
    const body = `${records.join('\n')}\n`;
    feed.answer((_req, res) => {
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.write(body.slice(0, body.length / 2));
      setTimeout(() => res.destroy(), 50);
    });
    const started = Date.now();
    const cut = await odp(['ingest', 'feed', '--json'], env()).done;
    expect(cut.code).to.equal(1);
    const failed = JSON.parse(cut.stdout) as Run;
    // The answer began, so the cut is not retried: the body is not resumed, and the next run fetches it whole.
    expect(failed.error).to.match(
      /^feed: reading http:\/\/127\.0\.0\.1:\d+\/\S+ failed: .*(terminated|closed|aborted|ended)/i,
    );
    const before = await lake('feed').catch(() => ({ versions: [], runs: [] }));
    expect(before.versions, 'nothing of a cut body is stored').to.deep.equal([]);

    feed.answer((_req, res) => res.writeHead(200).end(body));
    const whole = await odp(['ingest', 'feed', '--json'], env()).done;
    expect(whole.code, whole.stderr).to.equal(0);
    expect((JSON.parse(whole.stdout) as Run).inserted).to.equal(2_000);
    expect((await lake('feed')).versions).to.deep.equal([{ v: 1, n: 2_000, keys: 2_000 }]);
    outcomes.push({
      fault: 'source stops mid-body',
      seen: 'run failed, with reason',
      recoveredMs: Date.now() - started,
      lost: 0,
    });
  });

  it('SIGTERM to serve during a run: the run finishes and is recorded before the process exits', async () => {
    const server = await Replica.start(env());
    await writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(5));
    const accepted = await server.get('/v1/datasets/readings/runs', adminKey, { method: 'POST' });
    expect(accepted.status).to.equal(202);
    // The signal must land while the run goes on, or this would test an idle stop.
    const progress = await server.get(accepted.headers.get('location') as string, readKey);
    expect(((await progress.json()) as { status: string }).status).to.equal('running');
    const signalled = Date.now();
    const ended = await server.stop('SIGTERM');
    const stoppedMs = Date.now() - signalled;
    expect(ended.code, ended.stderr).to.equal(0);
    const after = await lake();
    expect(after.versions).to.deep.equal([{ v: 5, n: ROWS, keys: ROWS }]);
    expect(after.runs[0]?.status).to.equal('succeeded');
    outcomes.push({
      fault: 'SIGTERM to serve during a run',
      seen: `the run completes, then exit 0 (${stoppedMs} ms)`,
      recoveredMs: stoppedMs,
      lost: 0,
    });
  });
});
