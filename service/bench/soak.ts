/**
 * `npm run soak -w service [-- --scale-out]`: `odp serve` under a long, varied load on 127.0.0.1. Reads at about
 * half of the capacity measured first, an ingest every 30 s of a feed that changes each time, lake maintenance
 * every 2 minutes, an API key created and one revoked every 20 s; for SOAK_MINUTES (13: the 5-minute warm-up and two
 * 4-minute windows the drift goals compare). SOAK_NEW_RECORDS=0 keeps
 * the lake's size steady (updates only), so what still grows is not data. `serve` gets the serve pods' env (their
 * DuckDB budget and V8 flags); the response cache is off unless ODP_API_CACHE_MB is set, so every read reaches the
 * lake.
 * Prints requests, errors, p50/p99, RSS (its peak, an ingest's working set, and its floor between ingests), the
 * JS heap (used, reserved by V8, its young generation and the time spent collecting that), DuckDB's own memory
 * (in all, and the tags that moved) and open descriptors (peak and floor) per minute. Goals: no error; the lake
 * holds exactly the records the feed sent, each once at the version last sent; and, comparing the first 4-minute
 * window after a 5-minute warm-up with the last one, the median of the per-minute p99 within 1.5× + 10 ms and the
 * floors of RSS and descriptors within 10%. A soak shorter than the warm-up and two windows (13 minutes) has no
 * baseline for those three and reports them as not measured. Writes JSON under service/bench/results/; exits 1
 * unless every goal is met.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'yaml';
import { KeyStore } from '../src/access/keys.js';
import { SERVICE_ROOT } from '../src/serviceRoot.js';
import { ScaleOut } from '../standins/scaleOut.js';
import { Replica } from '../test/fixtures/replica.js';
import { readingsDataset } from '../test/fixtures/sandbox.js';
import { percentile } from './percentile.js';
import { provenance, shapingEnv, writeResults } from './results.js';
import { seeded } from './seeded.js';
import { DRIFT_MINUTES, goalsOf, type SoakContent, WARMUP_MINUTES, WINDOW_MINUTES } from './soakGoals.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? DRIFT_MINUTES);
const SEED = Number(process.env.SOAK_SEED ?? 20261202);
/** New readings per fetch (500): the lake's growth. 0 keeps its size steady, to tell data from a leak. */
const NEW_PER_FETCH = Number(process.env.SOAK_NEW_RECORDS ?? 500);
const scaleOut = process.argv.includes('--scale-out');
/**
 * The settings the serve pods give `odp serve` (the container's env in apps/base/lake-service/deployment.yaml):
 * DuckDB's budget and V8's heap sizing, so the soak measures the memory a pod holds. Values Flux fills in
 * (`${ODP_PG_HOST}`) name the cluster's own catalog and storage; the soak brings its own.
 */
const POD_ENV = await podEnv();
const MEMORY_LIMIT = process.env.ODP_MEMORY_LIMIT ?? POD_ENV.ODP_MEMORY_LIMIT ?? '';
const INGEST_SCHEDULE = '*/30 * * * * *';
const MAINTENANCE_SCHEDULE = '15 */2 * * * *';
const KEY_CHURN_MS = 20_000;
const CONNECTIONS = 8;
const CAPACITY_SECONDS = 15;

/** A stored reading as the NDJSON export carries it. */
interface Stored {
  id: string;
  v: number;
  value: number;
}

/**
 * The source: 50,000 readings at first; each fetch updates 2% of them (a higher version), adds NEW_PER_FETCH new
 * ones and sends 10 that break the dataset's rule (quarantined, never stored). Frozen, it sends the same body again.
 */
class ChangingFeed {
  readonly #rand = seeded(SEED);
  readonly #versions: number[] = Array(50_000).fill(1);
  #bad = 0;
  #body = '';
  frozen = false;
  fetches = 0;

  /** A record's value at a version, as the feed writes it. */
  static value(index: number, v: number): number {
    return (index * 7 + v) % 1000;
  }

  /**
   * How the lake's records differ from what the feed sent: each valid record must be there once, at the last
   * version sent, with that version's value; nothing else may be (the feed's invalid records are quarantined).
   */
  compare(stored: readonly Stored[]): SoakContent {
    const seen = new Set<string>();
    const found = { doubled: 0, unknown: 0, staleVersion: 0, aheadVersion: 0, wrongValue: 0 };
    let known = 0;
    for (const record of stored) {
      if (seen.has(record.id)) {
        found.doubled++;
        continue;
      }
      seen.add(record.id);
      const index = /^r(\d+)$/.exec(record.id)?.[1];
      const sent = index === undefined ? undefined : this.#versions[Number(index)];
      if (sent === undefined) {
        found.unknown++;
        continue;
      }
      known++;
      if (record.v < sent) found.staleVersion++;
      else if (record.v > sent) found.aheadVersion++;
      else if (record.value !== ChangingFeed.value(Number(index), record.v)) found.wrongValue++;
    }
    return {
      sent: this.#versions.length,
      stored: stored.length,
      missing: this.#versions.length - known,
      ...found,
    };
  }

  next(): string {
    this.fetches++;
    if (this.frozen && this.#body) return this.#body;
    if (this.#body) {
      for (let i = 0; i < this.#versions.length * 0.02; i++) {
        const id = Math.floor(this.#rand() * this.#versions.length);
        this.#versions[id] = (this.#versions[id] as number) + 1;
      }
      for (let i = 0; i < NEW_PER_FETCH; i++) this.#versions.push(1);
    }
    const lines = this.#versions.map(
      (v, i) => `{"id":"r${i}","v":${v},"value":${ChangingFeed.value(i, v)},"label":"l${i % 7}"}`,
    );
    for (let i = 0; i < 10; i++) lines.push(`{"id":"bad${this.#bad++}","v":1,"value":-1,"label":"x"}`);
    this.#body = `${lines.join('\n')}\n`;
    return this.#body;
  }
}

/** Varied reads, as users make them: a new filter value per request. */
function readPaths(rand: () => number, rows: () => number): () => string {
  return () => {
    const r = rand();
    const n = Math.max(1, rows());
    if (r < 0.55) return `/v1/datasets/readings/records?value=gte.${Math.floor(rand() * 1000)}&limit=50`;
    if (r < 0.7)
      return `/v1/datasets/readings/records?label=eq.l${Math.floor(rand() * 7)}&order=value.desc&limit=20`;
    if (r < 0.85) return `/v1/datasets/readings/records/r${Math.floor(rand() * n)}`;
    if (r < 0.93) return '/v1/datasets/readings';
    if (r < 0.97) return '/v1/runs?dataset=readings&limit=5';
    return `/v1/datasets/readings/records?format=ndjson&value=lt.${Math.floor(rand() * 50)}`;
  };
}

async function podEnv(): Promise<Record<string, string>> {
  const manifest = parse(
    await readFile(path.join(SERVICE_ROOT, '../apps/base/lake-service/deployment.yaml'), 'utf8'),
  );
  const container = manifest.spec.template.spec.containers.find(
    (c: { name: string }) => c.name === 'lake-service',
  ) as { env: { name: string; value?: string }[] };
  return Object.fromEntries(
    container.env.flatMap((e) =>
      e.value === undefined || e.value.includes('${') ? [] : [[e.name, e.value]],
    ),
  );
}

async function processStats(pid: number): Promise<{ rssMb: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return { rssMb: Math.round(rssKb / 1024), fds: (await readdir(`/proc/${pid}/fd`)).length };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const from = provenance(`soak${scaleOut ? '-scaleout' : ''}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-soak-'));
  const stack = scaleOut ? await ScaleOut.start() : undefined;
  const feed = new ChangingFeed();
  const feedServer = createServer((_req, res) => res.writeHead(200).end(feed.next()));
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  const feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/readings.ndjson`;
  const datasets = stack?.datasets ?? path.join(dir, 'datasets');
  await rm(datasets, { recursive: true, force: true });
  await mkdir(datasets, { recursive: true });
  await writeFile(
    path.join(datasets, 'readings.yaml'),
    readingsDataset({ source: feedUrl }).replace('schedule: "*/5 * * * *"', `schedule: "${INGEST_SCHEDULE}"`),
  );
  const keysFile = path.join(dir, 'api-keys.json');
  const keys = new KeyStore(keysFile);
  const reader = (await keys.create('soak reader', 'read')).key;
  const env: NodeJS.ProcessEnv = {
    ...POD_ENV,
    ...(stack ? stack.env() : { ODP_DATA_DIR: path.join(dir, 'data') }),
    ODP_DATASETS: datasets,
    ODP_API_KEYS_FILE: keysFile,
    ODP_SCHEDULER: 'true',
    ODP_MAINTENANCE_SCHEDULE: MAINTENANCE_SCHEDULE,
    ODP_SOURCES: 'live',
    ODP_LOG_LEVEL: 'warn',
    ODP_RATE_LIMIT_READ_PER_SECOND: '100000',
    ODP_RATE_LIMIT_READ_BURST: '1000000',
    // The soak reads /metrics every minute without a key, as a Prometheus the installation opened it to.
    ODP_METRICS_PUBLIC: 'true',
    // The headline soaks with the response cache off, so every read reaches the lake; a run with
    // ODP_API_CACHE_MB set is the secondary line.
    ODP_API_CACHE_MB: process.env.ODP_API_CACHE_MB ?? '0',
    ODP_MEMORY_LIMIT: MEMORY_LIMIT,
    TMPDIR: dir,
  };
  if (stack) process.env.PGPASSWORD = stack.rolePassword;
  const server = await Replica.start(env);
  // Should the soak itself fail, its server goes with it rather than living on unattended.
  process.once('exit', () => void server.stop('SIGKILL'));
  // A server that dies mid-soak ends the soak at once, with what it printed, rather than as refused requests.
  let stopping = false;
  void server.done.then((ended) => {
    if (stopping) return;
    process.stderr.write(
      `odp serve ended mid-soak (${ended.code ?? ended.signal}):\n${ended.stderr.slice(-4000)}\n`,
    );
    process.exit(1);
  });
  const rand = seeded(SEED + 1);
  let rows = 0;
  const paths = readPaths(rand, () => rows);
  const headers = { authorization: `Bearer ${reader}` };

  // The first ingest, then the capacity of this machine for this read mix.
  while (feed.fetches === 0 || rows === 0) {
    await sleep(1_000);
    const dataset = await server.get('/v1/datasets/readings', reader);
    if (dataset.ok) rows = ((await dataset.json()) as { rows: number }).rows;
  }
  const capacityRun = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: CAPACITY_SECONDS,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
  });
  const capacity = capacityRun.requests.average;
  const rate = Math.max(1, Math.round(capacity / 2));
  process.stderr.write(
    `capacity ${Math.round(capacity)} req/s; soaking at ${rate} req/s for ${MINUTES} min (seed ${SEED})\n`,
  );

  interface Minute {
    minute: number;
    requests: number;
    errors: number;
    latencies: number[];
    rssMb: number;
    rssFloorMb: number;
    heapMb: number;
    /** What V8 has reserved for its heap (what RSS sees of it), and of that its young generation. */
    heapCommittedMb: number;
    newSpaceMb: number;
    /** Time V8 spent collecting the young generation in the minute: what a smaller one costs. */
    scavengeMs: number;
    engineMb: number;
    /** DuckDB's memory by tag (`duckdb_memory()`), each tag's peak of the minute: which part of it grows. */
    engineTagsMb: Record<string, number>;
    /** Open descriptors: the minute's peak (connections and files in flight) and floor (what stays). */
    fds: number;
    fdsFloor: number;
    /** The machine's 1-minute load average, its peak in the minute: how busy the shared machine was. */
    load1: number;
  }
  const minutes: Minute[] = [];
  const started = Date.now();
  const current = (): Minute => {
    const minute = Math.floor((Date.now() - started) / 60_000) + 1;
    let entry = minutes.at(-1);
    if (!entry || entry.minute !== minute) {
      entry = {
        minute,
        requests: 0,
        errors: 0,
        latencies: [],
        rssMb: 0,
        rssFloorMb: Number.POSITIVE_INFINITY,
        heapMb: 0,
        heapCommittedMb: 0,
        newSpaceMb: 0,
        scavengeMs: 0,
        engineMb: 0,
        engineTagsMb: {},
        fds: 0,
        fdsFloor: Number.POSITIVE_INFINITY,
        load1: 0,
      };
      minutes.push(entry);
    }
    return entry;
  };
  const errors: string[] = [];
  const noteError = (what: string) => {
    current().errors++;
    if (errors.length < 20) errors.push(what);
  };
  /**
   * Runs `work` every `ms`. A failure (a request refused or reset, a process gone) counts as an error of its minute
   * and the soak goes on, so an overloaded server is reported rather than ending the soak without a result.
   */
  const every = (ms: number, what: string, work: () => Promise<void>) =>
    setInterval(() => {
      work().catch((error: unknown) => {
        const cause =
          error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
        noteError(`${what}: ${error instanceof Error ? error.message : String(error)}${cause}`);
      });
    }, ms);

  // Key churn: a new key works on its first request, a revoked one is refused within a second.
  const churned: { id: string; key: string }[] = [];
  const churn = every(KEY_CHURN_MS, 'key churn', async () => {
    const made = await keys.create(`soak churn ${churned.length}`, 'read');
    churned.push({ id: made.record.id, key: made.key });
    const first = await server.get('/v1/datasets', made.key);
    await first.arrayBuffer();
    if (first.status !== 200) noteError(`new key answered ${first.status}`);
    if (churned.length > 3) {
      const old = churned.shift() as { id: string; key: string };
      await keys.revoke(old.id);
      await sleep(1_200);
      const refused = await server.get('/v1/datasets', old.key);
      await refused.arrayBuffer();
      if (refused.status !== 401) noteError(`revoked key answered ${refused.status}`);
    }
  });
  // RSS every second: its peak (an ingest's working set) and its floor (what stays between ingests).
  const rssSampler = every(1_000, 'RSS sampler', async () => {
    const stats = await processStats(server.pid);
    const minute = current();
    minute.rssMb = Math.max(minute.rssMb, stats.rssMb);
    minute.rssFloorMb = Math.min(minute.rssFloorMb, stats.rssMb);
    minute.fds = Math.max(minute.fds, stats.fds);
    minute.fdsFloor = Math.min(minute.fdsFloor, stats.fds);
    minute.load1 = Math.max(minute.load1, Math.round(os.loadavg()[0]! * 100) / 100);
  });
  let scavengeSeconds: number | undefined;
  const sampler = every(5_000, 'metrics sampler', async () => {
    const minute = current();
    // The JS heap apart from the rest (DuckDB's buffers are native memory): which of the two grows.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? 0);
    const mb = (pattern: RegExp) => Math.round(value(pattern) / 2 ** 20);
    minute.heapMb = Math.max(minute.heapMb, mb(/^nodejs_heap_size_used_bytes (\S+)$/m));
    minute.heapCommittedMb = Math.max(minute.heapCommittedMb, mb(/^nodejs_heap_size_total_bytes (\S+)$/m));
    minute.newSpaceMb = Math.max(
      minute.newSpaceMb,
      mb(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)$/m),
    );
    const scavenged = value(/^nodejs_gc_duration_seconds_sum\{kind="minor"\} (\S+)$/m);
    minute.scavengeMs += Math.round(1000 * (scavenged - (scavengeSeconds ?? scavenged)));
    scavengeSeconds = scavenged;
    let engine = 0;
    for (const [, tag = '', bytes] of metrics.matchAll(
      /^odp_engine_memory_bytes\{tag="([^"]*)"\} (\S+)$/gm,
    )) {
      engine += Number(bytes);
      minute.engineTagsMb[tag] = Math.max(minute.engineTagsMb[tag] ?? 0, Math.round(Number(bytes) / 2 ** 20));
    }
    minute.engineMb = Math.max(minute.engineMb, Math.round(engine / 2 ** 20));
    const dataset = await server.get('/v1/datasets/readings', reader);
    if (dataset.ok) rows = ((await dataset.json()) as { rows: number }).rows;
  });

  let finish: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const load = autocannon(
    {
      url: server.url,
      connections: CONNECTIONS,
      overallRate: rate,
      duration: MINUTES * 60,
      headers,
      requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
    },
    () => finish(),
  );
  load.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    const minute = current();
    minute.requests++;
    minute.latencies.push(ms);
    if (status >= 400) noteError(`HTTP ${status}`);
  });
  load.on('reqError', (error: Error) => noteError(error.message));
  await loaded;
  clearInterval(churn);
  clearInterval(sampler);
  clearInterval(rssSampler);

  // The feed stops changing; once a run after that has finished, the lake must hold every record it sent, once,
  // at the version it last sent.
  feed.frozen = true;
  const frozenAt = new Date().toISOString();
  let content: SoakContent | undefined;
  for (let i = 0; i < 120 && !content; i++) {
    await sleep(1_000);
    const runs = (await (await server.get('/v1/runs?dataset=readings&limit=50', reader)).json()) as {
      data: { started_at: string; status: string }[];
    };
    if (runs.data.some((run) => run.started_at > frozenAt && run.status === 'succeeded')) {
      const exported = await server.get(
        '/v1/datasets/readings/records?format=ndjson&select=id,v,value',
        reader,
      );
      if (!exported.ok)
        throw new Error(`the final export answered ${exported.status}: ${await exported.text()}`);
      const stored = (await exported.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const r = JSON.parse(line) as { id: string; v: number | string; value: number | string };
          return { id: r.id, v: Number(r.v), value: Number(r.value) };
        });
      content = feed.compare(stored);
    }
  }
  const allRuns = (await (await server.get('/v1/runs?dataset=readings&limit=1000', reader)).json()) as {
    data: { status: string }[];
  };
  const failedRuns = allRuns.data.filter((run) => run.status === 'failed').length;
  const stopStarted = Date.now();
  stopping = true;
  const ended = await server.stop('SIGTERM');
  // What the server logged as errors (pino, one JSON object per line): the cause of any error counted above.
  const serverErrors = `${ended.stdout}\n${ended.stderr}`
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line))
    .slice(0, 20)
    .map((line) => line.slice(0, 2000));
  const stopMs = Date.now() - stopStarted;
  feedServer.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });

  // Peak RSS and open descriptors of each minute (sampled every second); the few requests after the last full
  // minute count in the totals only. A minute without a sample has no floor (null), never 0.
  const sampled = (n: number) => (Number.isFinite(n) ? n : null);
  const table = minutes
    .filter((m) => m.minute <= MINUTES)
    .map((m) => ({
      minute: m.minute,
      requests: m.requests,
      errors: m.errors,
      p50ms: Math.round(percentile(m.latencies, 50)),
      p99ms: Math.round(percentile(m.latencies, 99)),
      rssMb: m.rssMb,
      rssFloorMb: sampled(m.rssFloorMb),
      heapMb: m.heapMb,
      heapCommittedMb: m.heapCommittedMb,
      newSpaceMb: m.newSpaceMb,
      scavengeMs: m.scavengeMs,
      engineMb: m.engineMb,
      engineTagsMb: m.engineTagsMb,
      fds: m.fds,
      fdsFloor: sampled(m.fdsFloor),
      load1: m.load1,
    }));
  const totals = {
    requests: minutes.reduce((s, m) => s + m.requests, 0),
    errors: minutes.reduce((s, m) => s + m.errors, 0),
    ingests: allRuns.data.length,
    failedRuns,
    content: content ?? 'no run finished within 2 minutes of the feed freezing',
    serveExit: ended.code,
    stopMs,
  };
  const { drift, goals } = goalsOf({ minutes: MINUTES, table, errors: totals.errors, failedRuns, content });
  console.log(`\nsoak: ${scaleOut ? 'PostgreSQL + Azurite' : 'embedded'}, ${MINUTES} min at ${rate} req/s`);
  console.log(
    `| minute | requests | errors | p50 ms | p99 ms | peak RSS MB | RSS floor MB | JS heap MB | V8 heap MB | new space MB | scavenge ms | DuckDB MB | open fds | fds floor |  (ODP_MEMORY_LIMIT ${MEMORY_LIMIT}, ODP_API_CACHE_MB ${process.env.ODP_API_CACHE_MB ?? '0'})`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of table) {
    console.log(
      `| ${m.minute} | ${m.requests} | ${m.errors} | ${m.p50ms} | ${m.p99ms} | ${m.rssMb} | ${m.rssFloorMb} | ${m.heapMb} | ${m.heapCommittedMb} | ${m.newSpaceMb} | ${m.scavengeMs} | ${m.engineMb} | ${m.fds} | ${m.fdsFloor} |`,
    );
  }
  // The DuckDB tags that moved by 1 MB or more after the warm-up: where DuckDB's share of a drift sits.
  const settled = table.filter((m) => m.minute > WARMUP_MINUTES);
  const first = settled[0];
  const last = settled.at(-1);
  const tags = new Set([...Object.keys(first?.engineTagsMb ?? {}), ...Object.keys(last?.engineTagsMb ?? {})]);
  for (const tag of tags) {
    const [before, after] = [first?.engineTagsMb[tag] ?? 0, last?.engineTagsMb[tag] ?? 0];
    if (Math.abs(after - before) >= 1)
      console.log(`DuckDB ${tag}: ${before} → ${after} MB (minute ${first?.minute} → ${last?.minute})`);
  }
  console.log(JSON.stringify({ totals, drift, goals, errors, serverErrors }, null, 2));
  for (const [goal, met] of Object.entries(goals)) {
    console.log(`${met === true ? 'met         ' : met === false ? 'MISSED      ' : 'NOT MEASURED'} ${goal}`);
  }
  const settings = {
    minutes: MINUTES,
    warmupMinutes: WARMUP_MINUTES,
    windowMinutes: WINDOW_MINUTES,
    seed: SEED,
    newRecordsPerFetch: NEW_PER_FETCH,
    setup: scaleOut ? 'PostgreSQL catalog + Azurite' : 'embedded',
    ingestSchedule: INGEST_SCHEDULE,
    keyChurnMs: KEY_CHURN_MS,
    connections: CONNECTIONS,
    capacitySeconds: CAPACITY_SECONDS,
    readRate: 'half the capacity measured first',
    serve: shapingEnv(env),
  };
  const file = await writeResults(from, settings, {
    capacity,
    rate,
    table,
    totals,
    drift,
    goals,
    errors,
    serverErrors,
  });
  console.log(`results: ${file}`);
  if (!Object.values(goals).every((met) => met === true)) process.exitCode = 1;
}

await main();
