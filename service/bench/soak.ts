/**
 * `npm run soak -w service [-- --scale-out]`: `odp serve` under a long, varied load on 127.0.0.1. Reads at about
 * half of the capacity measured first, an ingest every 30 s of a feed that changes each time, lake maintenance
 * every 2 minutes, an API key created and one revoked every 20 s; for SOAK_MINUTES (10). SOAK_NEW_RECORDS=0 keeps
 * the lake's size steady (updates only), so what still grows is not data. `serve` gets the serve pods' env (their
 * DuckDB budget and V8 flags); the response cache is off unless ODP_API_CACHE_MB is set, so every read reaches the
 * lake.
 * Prints requests, errors, p50/p99, RSS (its peak, an ingest's working set, and its floor between ingests), the
 * JS heap (used, reserved by V8, its young generation and the time spent collecting that), DuckDB's own memory
 * (in all, and the tags that moved) and open descriptors (peak and floor) per minute (goals: no error; after a
 * 5-minute warm-up p99 within 1.5× + 10 ms, the floors of RSS and descriptors within 10%), checks that the lake
 * holds exactly the distinct records the feed sent, and writes JSON under service/bench/results/. Exits 1 when a
 * goal is missed.
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
import { machine, writeResults } from './machine.js';
import { percentile } from './percentile.js';
import { seeded } from './seeded.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SEED = Number(process.env.SOAK_SEED ?? 20261202);
/** New readings per fetch (500): the lake's growth. 0 keeps its size steady, to tell data from a leak. */
const NEW_PER_FETCH = Number(process.env.SOAK_NEW_RECORDS ?? 500);
const scaleOut = process.argv.includes('--scale-out');
/**
 * The settings the serve pods give `odp serve` (the container's env in apps/base/lake-service/deployment.yaml):
 * DuckDB's budget and V8's heap sizing, so the soak measures the memory a pod holds.
 */
const POD_ENV = await podEnv();
const MEMORY_LIMIT = process.env.ODP_MEMORY_LIMIT ?? POD_ENV.ODP_MEMORY_LIMIT ?? '';
/**
 * Minutes at the start that only warm up; drift is measured after them. The RSS floor climbs fastest in the first
 * 5 minutes (native memory, with glibc's malloc and jemalloc alike; soak results of 2026-12-02).
 */
const WARMUP_MINUTES = 5;

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

  /** The distinct valid records sent so far: what the lake must hold. */
  get expected(): number {
    return this.#versions.length;
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
      (v, i) => `{"id":"r${i}","v":${v},"value":${(i * 7 + v) % 1000},"label":"l${i % 7}"}`,
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
  return Object.fromEntries(container.env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
}

async function processStats(pid: number): Promise<{ rssMb: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return { rssMb: Math.round(rssKb / 1024), fds: (await readdir(`/proc/${pid}/fd`)).length };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
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
    readingsDataset({ source: feedUrl }).replace('schedule: "*/5 * * * *"', 'schedule: "*/30 * * * * *"'),
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
    ODP_MAINTENANCE_SCHEDULE: '15 */2 * * * *',
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
    connections: 8,
    duration: 15,
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

  // Key churn: a new key works on its first request, a revoked one is refused within a second.
  const churned: { id: string; key: string }[] = [];
  const churn = setInterval(async () => {
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
  }, 20_000);
  // RSS every second: its peak (an ingest's working set) and its floor (what stays between ingests).
  const rssSampler = setInterval(async () => {
    const stats = await processStats(server.pid);
    const minute = current();
    minute.rssMb = Math.max(minute.rssMb, stats.rssMb);
    minute.rssFloorMb = Math.min(minute.rssFloorMb, stats.rssMb);
    minute.fds = Math.max(minute.fds, stats.fds);
    minute.fdsFloor = Math.min(minute.fdsFloor, stats.fds);
  }, 1_000);
  let scavengeSeconds: number | undefined;
  const sampler = setInterval(async () => {
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
  }, 5_000);

  let finish: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const load = autocannon(
    {
      url: server.url,
      connections: 8,
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

  // The feed stops changing; once a run after that has finished, the lake must hold every record it sent.
  feed.frozen = true;
  const frozenAt = new Date().toISOString();
  let finalRows = -1;
  for (let i = 0; i < 120; i++) {
    await sleep(1_000);
    const runs = (await (await server.get('/v1/runs?dataset=readings&limit=50', reader)).json()) as {
      data: { started_at: string; status: string }[];
    };
    if (runs.data.some((run) => run.started_at > frozenAt && run.status === 'succeeded')) {
      finalRows = ((await (await server.get('/v1/datasets/readings', reader)).json()) as { rows: number })
        .rows;
      break;
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

  // Peak RSS and open descriptors of each minute (sampled every 5 s); the few requests after the last full
  // minute count in the totals only.
  const table = minutes
    .filter((m) => m.minute <= MINUTES)
    .map((m) => ({
      minute: m.minute,
      requests: m.requests,
      errors: m.errors,
      p50ms: Math.round(percentile(m.latencies, 50)),
      p99ms: Math.round(percentile(m.latencies, 99)),
      rssMb: m.rssMb,
      rssFloorMb: Number.isFinite(m.rssFloorMb) ? m.rssFloorMb : 0,
      heapMb: m.heapMb,
      heapCommittedMb: m.heapCommittedMb,
      newSpaceMb: m.newSpaceMb,
      scavengeMs: m.scavengeMs,
      engineMb: m.engineMb,
      engineTagsMb: m.engineTagsMb,
      fds: m.fds,
      fdsFloor: Number.isFinite(m.fdsFloor) ? m.fdsFloor : 0,
    }));
  const settled = table.filter((m) => m.minute > WARMUP_MINUTES && m.minute <= MINUTES);
  const first = settled[0];
  const last = settled.at(-1);
  const growth = (a = 0, b = 0) => (a ? (b - a) / a : 0);
  const totals = {
    requests: minutes.reduce((s, m) => s + m.requests, 0),
    errors: minutes.reduce((s, m) => s + m.errors, 0),
    ingests: allRuns.data.length,
    failedRuns,
    expectedRows: feed.expected,
    lakeRows: finalRows,
    rssGrowth: growth(first?.rssMb, last?.rssMb),
    rssFloorGrowth: growth(first?.rssFloorMb, last?.rssFloorMb),
    fdFloorGrowth: growth(first?.fdsFloor, last?.fdsFloor),
    p99FirstMs: first?.p99ms ?? 0,
    p99LastMs: last?.p99ms ?? 0,
    serveExit: ended.code,
    stopMs,
  };
  const goals = {
    noErrors: totals.errors === 0 && failedRuns === 0,
    rssFlat: totals.rssFloorGrowth < 0.1,
    fdsFlat: totals.fdFloorGrowth < 0.1,
    p99Flat: totals.p99LastMs <= 1.5 * totals.p99FirstMs + 10,
    exactlyOnce: finalRows === feed.expected,
  };
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
  const tags = new Set([...Object.keys(first?.engineTagsMb ?? {}), ...Object.keys(last?.engineTagsMb ?? {})]);
  for (const tag of tags) {
    const [from, to] = [first?.engineTagsMb[tag] ?? 0, last?.engineTagsMb[tag] ?? 0];
    if (Math.abs(to - from) >= 1)
      console.log(`DuckDB ${tag}: ${from} → ${to} MB (minute ${first?.minute} → ${last?.minute})`);
  }
  console.log(JSON.stringify({ totals, goals, errors, serverErrors }, null, 2));
  const file = await writeResults({
    benchmark: `soak${scaleOut ? '-scaleout' : ''}`,
    at: new Date().toISOString(),
    machine: machine(),
    seed: SEED,
    minutes: MINUTES,
    memoryLimit: MEMORY_LIMIT,
    responseCacheMb: Number(process.env.ODP_API_CACHE_MB ?? 0),
    capacity,
    rate,
    table,
    totals,
    goals,
    errors,
    serverErrors,
  } as { benchmark: string; at: string });
  console.log(`results: ${file}`);
  if (!Object.values(goals).every(Boolean)) process.exitCode = 1;
}

await main();
