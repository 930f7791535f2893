import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { KeyStore } from '../../src/access/keys.js';
import { loadConfig } from '../../src/config/config.js';
import type { Run, RunInProgress } from '../../src/journal/run.js';
import { readRun } from '../../src/journal/runs.js';
import { rows } from '../../src/lake/query.js';
import { createLogger } from '../../src/log.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import type { ScaleOut } from '../../standins/scaleOut.js';
import { odp } from '../fixtures/cli.js';
import { Replica } from '../fixtures/replica.js';
import { readingsBatch, readingsDataset } from '../fixtures/sandbox.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';
import { until } from '../fixtures/until.js';

/** Enough rows that a run lasts a few seconds on a small machine, so that a second run meets it. */
const ROWS = 150_000;
const batch = (v: number) => readingsBatch(ROWS, v);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scale-out: one writer per dataset across replicas', function () {
  this.timeout(180_000);
  let stack: ScaleOut;
  let reader: Runtime | undefined;

  before(async () => {
    stack = await startReadingsStack();
    process.env.PGPASSWORD = stack.rolePassword;
    reader = await openRuntime(loadConfig(stack.env()), createLogger('silent'));
  });
  after(async () => {
    reader?.close();
    delete process.env.PGPASSWORD;
    await stack?.stop();
  });

  /** The run id holding the dataset's advisory lock, as PostgreSQL shows it, once a run holds it (not setup's lock). */
  const leaseHolder = () =>
    stack
      .catalog<{ application_name: string }>(
        `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
         WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'odp ingest %'`,
      )
      .then((r) => r[0]?.application_name.replace(/^odp ingest /, ''));
  const stored = () =>
    reader!.lake.session((c) =>
      rows<{ n: string; keys: string; v: number | null }>(
        c,
        'SELECT count(*) AS n, count(DISTINCT id) AS keys, max(v) AS v FROM lake.main.readings',
      ),
    );
  const writeBatch = (v: number) => writeFile(path.join(stack.datasets, 'readings.ndjson'), batch(v));

  it('lets one of two processes ingesting the same dataset at once win; the other says who holds it', async () => {
    // The winner's source answers only once the other process has finished, so the two runs surely overlap.
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let requests = 0;
    const source = createServer((_request, response) => {
      requests++;
      void gate.then(() => response.end(batch(1)));
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const feedDatasets = await mkdtemp(path.join(os.tmpdir(), 'odp-datasets-'));
    try {
      const { port } = source.address() as AddressInfo;
      await writeFile(
        path.join(feedDatasets, 'readings.yaml'),
        readingsDataset({ source: `http://127.0.0.1:${port}/readings.ndjson` }),
      );
      const runs = [1, 2].map(() => odp(['ingest', 'readings', '--json'], stack.env(feedDatasets)));
      const first = await Promise.race(runs.map((r) => r.done));
      const holder = await leaseHolder();
      answer();
      const outcomes = await Promise.all(runs.map((r) => r.done));
      const refused = outcomes.filter((o) => o.code === 1);
      const won = outcomes.filter((o) => o.code === 0);

      expect(refused, 'one run is refused, and it ends first').to.deep.equal([first]);
      expect(won, won.map((o) => o.stderr).join()).to.have.length(1);
      expect(requests, 'only the lease holder fetched the source').to.equal(1);
      const run = JSON.parse(won[0]!.stdout) as Run;
      expect(run).to.include({ run_id: holder, status: 'succeeded', inserted: ROWS });
      expect(first.stderr).to.match(
        new RegExp(
          `readings is being ingested by run ${holder} on another replica \\(127\\.0\\.0\\.1, session \\d+\\); run \\S+-readings-\\w+ was refused`,
        ),
      );
      expect(await stored()).to.deep.equal([{ n: String(ROWS), keys: String(ROWS), v: 1 }]);
      expect(await leaseHolder(), 'the lease is released when the run ends').to.equal(undefined);
    } finally {
      answer();
      source.close();
      await rm(feedDatasets, { recursive: true, force: true });
    }
  });

  it('keeps a killed writer from showing a partial batch to a replica reading meanwhile; the next run recovers', async () => {
    await writeBatch(2);
    const lakeFilesBefore = await stack.lakeFiles();
    const writer = odp(['ingest', 'readings', '--json'], stack.env());
    const killedRun = await until('the writer holds the lease', leaseHolder);

    // Another replica reads all along; each answer is the whole previous batch, never part of the new one.
    const seen: string[] = [];
    let reading = true;
    const reads = (async () => {
      while (reading) {
        const [r] = await stored();
        seen.push(`${r?.n}/${r?.v}`);
        await sleep(20);
      }
    })();
    // Kill it while it writes the new batch's Parquet files, before the commit lands in the catalog.
    await until('the writer writes lake files', async () =>
      (await stack.lakeFiles()).length > lakeFilesBefore.length ? true : undefined,
    );
    writer.child.kill('SIGKILL');
    const killed = await writer.done;
    // A few more reads after the kill: they too must see the previous batch whole.
    const readBeforeKill = seen.length;
    while (seen.length < readBeforeKill + 5) await sleep(20);
    reading = false;
    await reads;

    expect(killed.signal).to.equal('SIGKILL');
    expect(seen.length).to.be.greaterThan(0);
    expect([...new Set(seen)]).to.deep.equal([`${ROWS}/1`]);
    const committed = await stack.catalog(
      'SELECT 1 FROM ducklake_snapshot_changes WHERE commit_extra_info = $1',
      [killedRun],
    );
    expect(committed, 'the killed run committed nothing').to.have.length(0);
    expect(await leaseHolder(), 'the lease ended with the killed process').to.equal(undefined);

    expect(await reader!.leases.runsUnderWay(), 'a dead run is not under way').to.deep.equal([]);
    const tmp = stack.env().TMPDIR as string; // the writers' temporary folder
    const leftBehind = async () =>
      (await readdir(tmp)).filter((name) => name.startsWith(`odp-${killedRun}-`));
    expect(await leftBehind(), 'the killed run left its work folder').to.have.length(1);

    const next = await odp(['ingest', 'readings', '--json'], stack.env()).done;
    expect(next.code, next.stderr).to.equal(0);
    const nextRun = JSON.parse(next.stdout) as Run;
    expect(nextRun).to.include({ status: 'succeeded', updated: ROWS, inserted: 0 });
    expect(await stored()).to.deep.equal([{ n: String(ROWS), keys: String(ROWS), v: 2 }]);
    // The run that took the lease next recorded the killed one, so it is not unknown to anyone.
    const abandoned = await reader!.lake.session((c) => readRun(c, killedRun!));
    expect(abandoned).to.include({
      run_id: killedRun,
      dataset: 'readings',
      status: 'abandoned',
      inserted: 0,
    });
    expect(abandoned!.error).to.match(new RegExp(`ended before the run did; found by run ${nextRun.run_id}`));
    expect(await leftBehind(), 'the next run removed the work folder the killed one left').to.deep.equal([]);
  });

  it('shows a run started through one replica as running on another, then its outcome', async () => {
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const source = createServer((_request, response) => {
      void gate.then(() => response.end(batch(3)));
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const feedDatasets = await mkdtemp(path.join(os.tmpdir(), 'odp-datasets-'));
    const replicas: Replica[] = [];
    try {
      const { port } = source.address() as AddressInfo;
      await writeFile(
        path.join(feedDatasets, 'readings.yaml'),
        readingsDataset({ source: `http://127.0.0.1:${port}/readings.ndjson` }),
      );
      const env = { ...stack.env(feedDatasets), ODP_API_KEYS_FILE: path.join(stack.dir, 'api-keys.json') };
      const key = (await new KeyStore(env.ODP_API_KEYS_FILE).create('operator', 'admin')).key;
      replicas.push(...(await Promise.all([Replica.start(env), Replica.start(env)])));
      const [one, other] = replicas as [Replica, Replica];

      const started = await one.get('/v1/datasets/readings/runs', key, { method: 'POST' });
      expect(started.status, await started.clone().text()).to.equal(202);
      const { run_id: runId } = (await started.json()) as { run_id: string };
      const seen = async () => {
        const response = await other.get(`/v1/runs/${runId}`, key);
        return { status: response.status, run: (await response.json()) as Partial<Run | RunInProgress> };
      };
      // The run waits for its source, so it is surely under way while the other replica is asked.
      expect(await seen()).to.deep.include({ status: 200 });
      expect((await seen()).run).to.include({ run_id: runId, dataset: 'readings', status: 'running' });
      // The other replica lists it as running too, as the console shows it.
      const listed = await other.get('/v1/runs?dataset=readings', key);
      const { running } = (await listed.json()) as { running: { run_id: string; trigger: string }[] };
      expect(running.map((r) => [r.run_id, r.trigger])).to.deep.equal([[runId, 'manual']]);

      answer();
      const outcome = await until('the other replica to show the run’s outcome', async () => {
        const { run } = await seen();
        return run.status === 'running' ? undefined : run;
      });
      expect(outcome).to.include({ run_id: runId, status: 'succeeded', updated: ROWS });
    } finally {
      answer();
      await Promise.all(replicas.map((r) => r.stop()));
      source.close();
      await rm(feedDatasets, { recursive: true, force: true });
    }
  });
});
