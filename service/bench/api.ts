/**
 * `npm run bench:api`: our records endpoint against Datasette and ROAPI over the same 3M flights, driven in the
 * same run by the same load generator with the same settings; plus `asOf` against a current read and a 1M-row
 * NDJSON export. Prints a table and writes JSON under service/bench/results/, with each goal met or missed; exits 1
 * unless every goal is met.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { KeyStore } from '../src/access/keys.js';
import { loadConfig } from '../src/config/config.js';
import { Lake } from '../src/lake/lake.js';
import { rows } from '../src/lake/query.js';
import { literal } from '../src/lake/quote.js';
import { peerTools, type Server, sqliteCopy, startServer } from './apiPeers.js';
import { provenance, shapingEnv, writeResults } from './results.js';
import { seeded } from './seeded.js';

const run = promisify(execFile);
const serviceRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(serviceRoot, '..');
const cacheDir = path.join(os.homedir(), '.cache', 'odp');
const work = path.join(cacheDir, 'bench-api');
const dataDir = path.join(work, 'data');
const cli = path.join(serviceRoot, 'dist', 'cli.js');

/** The machine is shared, so runs are short; every target gets exactly the same load. */
const LOAD = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 8),
  duration: Number(process.env.BENCH_SECONDS ?? 10),
  warmup: 3,
};
const PORTS = { odp: 18181, datasette: 18182, roapi: 18183 };
const COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination', 'delay_band', 'route'];

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const env = {
  ODP_DATA_DIR: dataDir,
  ODP_DATASETS: path.join(serviceRoot, 'datasets'),
  ODP_LOG_LEVEL: 'warn',
};

/** flights-3m ingested by the real pipeline, then earthquakes, so the flights snapshot is an older one. */
async function loadLake(): Promise<void> {
  if (await exists(path.join(dataDir, 'catalog.ducklake'))) return;
  for (const dataset of ['flights', 'earthquakes']) {
    process.stderr.write(`ingesting ${dataset} into ${dataDir}\n`);
    const started = performance.now();
    await run(process.execPath, [cli, 'ingest', dataset], {
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
    process.stderr.write(`  ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

/** The same rows for the peers: Parquet for ROAPI, CSV (then SQLite) for Datasette; and the older snapshot. */
async function exportRows(): Promise<{
  rows: number;
  olderSnapshot: number;
  currentSnapshot: number;
  origins: string[];
  destinations: string[];
}> {
  const lake = await Lake.open(loadConfig({ ...process.env, ...env }));
  try {
    return await lake.session(async (c) => {
      const select = `SELECT ${COLUMNS.join(', ')} FROM lake.main.flights`;
      for (const [file, format] of [
        ['flights.parquet', 'FORMAT parquet'],
        ['flights.csv', 'FORMAT csv, HEADER true'],
      ] as const) {
        const target = path.join(work, file);
        if (!(await exists(target))) await c.run(`COPY (${select}) TO ${literal(target)} (${format})`);
      }
      const [counted] = await rows<{ n: string }>(c, 'SELECT count(*) AS n FROM lake.main.flights');
      const [older] = await rows<{ id: string }>(
        c,
        `SELECT min(s.snapshot_id) AS id FROM lake.snapshots() s JOIN lake.odp.runs r ON s.commit_extra_info = r.run_id
         WHERE r.dataset = 'flights' AND r.status = 'succeeded'`,
      );
      const [current] = await rows<{ id: string }>(c, 'SELECT id FROM lake.current_snapshot()');
      const busiest = async (column: string) =>
        (
          await rows<{ v: string }>(
            c,
            `SELECT ${column} AS v FROM lake.main.flights GROUP BY ALL ORDER BY count(*) DESC, v LIMIT 50`,
          )
        ).map((r) => r.v);
      return {
        rows: Number(counted?.n),
        olderSnapshot: Number(older?.id),
        currentSnapshot: Number(current?.id),
        origins: await busiest('origin'),
        destinations: await busiest('destination'),
      };
    });
  } finally {
    lake.close();
  }
}

interface Measured {
  target: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
  requests: number;
  non2xx: number;
  errors: number;
}

/** One request of the load: a path, and for ROAPI's SQL endpoint a body. */
interface Call {
  path: string;
  body?: string;
}

/**
 * Drives `base` with `connections` clients for the load's duration. `next` gives each request its own call, so a
 * varied load never repeats a URL a cache could answer.
 */
async function measure(
  target: string,
  base: string,
  next: () => Call,
  options: { headers?: Record<string, string>; connections?: number } = {},
): Promise<Measured> {
  const load: autocannon.Options = {
    url: base,
    connections: options.connections ?? LOAD.connections,
    headers: options.headers ?? {},
    requests: [
      {
        setupRequest: (request) => {
          const call = next();
          return call.body === undefined
            ? { ...request, method: 'GET', path: call.path }
            : { ...request, method: 'POST', path: call.path, body: call.body };
        },
      },
    ],
  };
  await autocannon({ ...load, duration: LOAD.warmup });
  const result = await autocannon({ ...load, duration: LOAD.duration });
  const measured = {
    target,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: Math.round(result.latency.average * 10) / 10,
    },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.stderr.write(
    `  ${target}: ${measured.requestsPerSecond} req/s, p50 ${measured.latencyMs.p50} ms, p99 ${measured.latencyMs.p99} ms\n`,
  );
  if (measured.non2xx || measured.errors)
    throw new Error(`${target} answered ${measured.non2xx} non-2xx and ${measured.errors} errors`);
  return measured;
}

/**
 * A user's query: flights from (or to) one of the 50 busiest airports before a day of 2001, newest first (or the
 * most delayed first).
 */
interface Query {
  column: 'origin' | 'destination';
  airport: string;
  before: string;
  order: 'date' | 'delay';
}

function queries(
  seed: number,
  column: Query['column'],
  airports: string[],
  order: Query['order'],
): () => Query {
  const random = seeded(seed);
  return () => {
    const airport = airports[Math.floor(random() * airports.length)]!;
    const day = new Date(Date.UTC(2001, 0, 1 + Math.floor(random() * 365)));
    return { column, airport, before: day.toISOString().slice(0, 10), order };
  };
}

/** The same query in each server's own language. */
const CALLS = {
  odp: (q: Query, extra = ''): Call => ({
    path: `/v1/datasets/flights/records?${q.column}=eq.${q.airport}&date=lt.${q.before}&order=${q.order}.desc&limit=100&select=${COLUMNS.join(',')}${extra}`,
  }),
  datasette: (q: Query): Call => ({
    path: `/flights/flights.json?${q.column}=${q.airport}&date__lt=${q.before}&_sort_desc=${q.order}&_size=100&_shape=objects&_nocount=1&_nofacet=1&_nosuggest=1`,
  }),
  roapi: (q: Query): Call => ({
    path: '/api/sql',
    body: `SELECT ${COLUMNS.join(', ')} FROM flights WHERE ${q.column} = '${q.airport}' AND date < TIMESTAMP '${q.before}' ORDER BY ${q.order} DESC NULLS LAST LIMIT 100`,
  }),
};

/** Resident memory of a process, from /proc (kB → MiB). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Streams an export to nowhere, sampling the server's RSS every 50 ms from just before the request; counts the
 * lines it receives.
 */
async function streamExport(url: string, key: string, pid: number) {
  const before = await rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    void rssMiB(pid).then(
      (r) => {
        peak = Math.max(peak, r);
      },
      () => undefined,
    );
  }, 50);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      http
        .get(url, { headers: { authorization: `Bearer ${key}` } }, (response) => {
          if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}`));
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          });
          response.on('end', resolve);
          response.on('error', reject);
        })
        .on('error', reject);
    });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, await rssMiB(pid));
  return {
    lines,
    seconds: Math.round(seconds * 100) / 100,
    megabytes: Math.round(bytes / 1e5) / 10,
    rssBeforeMiB: Math.round(before),
    rssPeakMiB: Math.round(peak),
    rssGrowthMiB: Math.round(peak - before),
  };
}

/**
 * A query's rows as a server answers it, every column as text, to check all three answer the same: times as
 * `2001-04-30 18:05:00` (each writes them its own way), numbers as numbers.
 */
async function answer(base: string, call: Call, headers: Record<string, string>): Promise<string[]> {
  const response = await fetch(`${base}${call.path}`, {
    method: call.body === undefined ? 'GET' : 'POST',
    headers,
    ...(call.body === undefined ? {} : { body: call.body }),
  });
  if (!response.ok)
    throw new Error(`${base}${call.path} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { data?: unknown[]; rows?: unknown[] } | unknown[];
  const found = Array.isArray(body) ? body : (body.data ?? body.rows ?? []);
  return found.map((r) => {
    const row = r as Record<string, unknown>;
    return COLUMNS.map((c) =>
      c === 'date'
        ? String(row[c])
            .replace('T', ' ')
            .replace(/(\.0+)?Z?$/, '')
        : JSON.stringify(row[c] ?? null),
    ).join('|');
  });
}

/** Waits until the server's serving copy of flights is built (what /metrics says), after one read asks for it. */
async function servingCopyReady(base: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  await answer(
    base,
    CALLS.odp({ column: 'origin', airport: 'SFO', before: '2001-06-01', order: 'date' }),
    headers,
  );
  for (;;) {
    const text = await (await fetch(`${base}/metrics`, { headers })).text();
    const bytes = Number(/^odp_serving_copy_bytes\{dataset="flights"\} (\d+)/m.exec(text)?.[1] ?? 0);
    if (bytes > 0) {
      process.stderr.write(
        `  serving copy of flights: ${(bytes / 2 ** 20).toFixed(0)} MiB, ready ${((performance.now() - started) / 1000).toFixed(1)} s after the first read\n`,
      );
      return bytes;
    }
    if (performance.now() - started > 120_000)
      throw new Error('the serving copy of flights was not built in 2 min');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const from = provenance('api');
  await mkdir(work, { recursive: true });
  const tools = await peerTools(cacheDir);
  await loadLake();
  const lake = await exportRows();
  await sqliteCopy(tools.python, path.join(work, 'flights.csv'), path.join(work, 'flights.db'));

  const keysFile = path.join(work, 'api-keys.json');
  const key = (await new KeyStore(keysFile).create('bench', 'read')).key;
  const servers: Server[] = [];
  const stopAll = () => {
    for (const s of servers) s.stop();
  };
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  const odpEnv = (cacheMegabytes: number): NodeJS.ProcessEnv => ({
    ...env,
    ODP_PORT: String(PORTS.odp),
    ODP_SCHEDULER: 'false',
    ODP_LOG_LEVEL: 'info',
    ODP_API_KEYS_FILE: keysFile,
    ODP_API_CACHE_MB: String(cacheMegabytes),
    ODP_METRICS_PUBLIC: 'true',
    ODP_RATE_LIMIT_READ_PER_SECOND: '1000000',
    ODP_RATE_LIMIT_READ_BURST: '1000000',
  });
  const startOdp = async (cacheMegabytes: number): Promise<Server> => {
    const server = await startServer(
      'odp',
      process.execPath,
      [cli, 'serve'],
      odpEnv(cacheMegabytes),
      `http://127.0.0.1:${PORTS.odp}/readyz`,
    );
    servers.push(server);
    return server;
  };
  // The embedded lake admits one process, so our server's two configurations run one after the other.
  const stopOdp = async (server: Server) => {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.stop();
    await exited;
  };
  try {
    servers.push(
      await startServer(
        'datasette',
        tools.datasette,
        [
          'serve',
          '--immutable',
          path.join(work, 'flights.db'),
          '-h',
          '127.0.0.1',
          '-p',
          String(PORTS.datasette),
          '--setting',
          'sql_time_limit_ms',
          '10000',
        ],
        {},
        `http://127.0.0.1:${PORTS.datasette}/-/versions.json`,
      ),
      await startServer(
        'roapi',
        tools.roapi,
        ['-a', `127.0.0.1:${PORTS.roapi}`, '-t', `flights=${path.join(work, 'flights.parquet')}`],
        {},
        `http://127.0.0.1:${PORTS.roapi}/api/schema`,
      ),
    );
    const auth = { authorization: `Bearer ${key}` };
    const select = `select=${COLUMNS.join(',')}`;
    const bases = {
      odp: `http://127.0.0.1:${PORTS.odp}`,
      datasette: `http://127.0.0.1:${PORTS.datasette}`,
      roapi: `http://127.0.0.1:${PORTS.roapi}`,
    };
    const SEED = Number(process.env.BENCH_SEED ?? 2001);
    const byOrigin = () => queries(SEED, 'origin', lake.origins, 'date');
    // No sort order serves this path: the most delayed flights to an airport (Datasette's index on destination
    // and date finds the airport's rows, then sorts them).
    const byDestination = () => queries(SEED + 1, 'destination', lake.destinations, 'delay');

    // The three answer the same queries: the same rows, all columns, in the query's order, for the first 20 of the
    // sequence; ours from its serving copy (the headline's access path) and, for the asOf path, from the lake.
    let odpServer = await startOdp(0);
    const servingBytes = await servingCopyReady(bases.odp, auth);
    for (const [path, sequence] of [
      ['by origin (the declared sort order)', byOrigin()],
      ['by destination (not the sort order)', byDestination()],
    ] as const) {
      for (let i = 0; i < 20; i++) {
        const q = sequence();
        const ours = await answer(bases.odp, CALLS.odp(q), auth);
        const theirs = await answer(bases.datasette, CALLS.datasette(q), {});
        const roapis = await answer(bases.roapi, CALLS.roapi(q), {});
        // An empty answer agrees with anything; every query of the sequence finds flights.
        // Flights with the same sort value (the same minute, the same delay) may come in any order, and where the
        // page ends inside such a run each server keeps others of them (each breaks ties its own way): the same
        // sort values in order, and the same rows before the last value, is agreement.
        const sortValue = (row: string) => row.split('|')[COLUMNS.indexOf(q.order)];
        const settled = (rows: string[]) =>
          rows.filter((r) => sortValue(r) !== sortValue(rows.at(-1) ?? '')).sort();
        const same = (a: string[], b: string[]) =>
          JSON.stringify(a.map(sortValue)) === JSON.stringify(b.map(sortValue)) &&
          JSON.stringify(settled(a)) === JSON.stringify(settled(b));
        if (ours.length === 0 || !same(ours, theirs) || !same(ours, roapis)) {
          throw new Error(
            `the servers disagree on ${path} ${JSON.stringify(q)}:\n odp ${ours.slice(0, 3)} (${ours.length})\n datasette ${theirs.slice(0, 3)} (${theirs.length})\n roapi ${roapis.slice(0, 3)} (${roapis.length})`,
          );
        }
      }
    }

    process.stderr.write(
      `measuring (${LOAD.connections} connections, ${LOAD.duration} s each after ${LOAD.warmup} s warm-up; seed ${SEED})\n`,
    );
    const varied =
      (server: keyof typeof CALLS, next: () => Query, extra = '') =>
      (): Call =>
        server === 'odp' ? CALLS.odp(next(), extra) : CALLS[server](next());
    // Headline: a new filter value on every request, response cache off.
    const odp = await measure('odp, varied, cache off', bases.odp, varied('odp', byOrigin()), {
      headers: auth,
    });
    const datasette = await measure('datasette, varied', bases.datasette, varied('datasette', byOrigin()));
    // The HTTP ceiling: an authenticated route that reads nothing, through the same middleware as records.
    const ceiling = await measure(
      'odp, HTTP ceiling (/v1/key, no query)',
      bases.odp,
      () => ({ path: '/v1/key' }),
      {
        headers: auth,
      },
    );
    const roapi = await measure('roapi, varied', bases.roapi, varied('roapi', byOrigin()));
    const odpOne = await measure(
      'odp, varied, cache off, 1 connection',
      bases.odp,
      varied('odp', byOrigin()),
      {
        headers: auth,
        connections: 1,
      },
    );
    const datasetteOne = await measure(
      'datasette, varied, 1 connection',
      bases.datasette,
      varied('datasette', byOrigin()),
      { connections: 1 },
    );
    const asOf = await measure(
      'odp, varied, cache off, asOf an older snapshot',
      bases.odp,
      varied('odp', byOrigin(), `&asOf=${lake.olderSnapshot}`),
      { headers: auth },
    );
    const odpOther = await measure(
      'odp, by destination, cache off',
      bases.odp,
      varied('odp', byDestination()),
      {
        headers: auth,
      },
    );
    const datasetteOther = await measure(
      'datasette, by destination',
      bases.datasette,
      varied('datasette', byDestination()),
    );
    const roapiOther = await measure('roapi, by destination', bases.roapi, varied('roapi', byDestination()));
    await stopOdp(odpServer);
    odpServer = await startOdp(64);
    // Secondary lines: what the response cache adds (the varied sequence repeats once it has run through).
    const cached = await measure('odp, varied, cache on', bases.odp, varied('odp', byOrigin()), {
      headers: auth,
    });
    const repeated = CALLS.odp({ column: 'origin', airport: 'SFO', before: '2002-01-01', order: 'date' });
    const odpRepeated = await measure('odp, one repeated URL, cache on', bases.odp, () => repeated, {
      headers: auth,
    });

    await stopOdp(odpServer);

    /**
     * Peak memory must not follow the row count: 1M rows, then all rows, in each export format. Each export gets a
     * fresh server (response cache off) and one small read first (then waits for its serving copy), and its growth is counted from the RSS sampled
     * just before it: memory a process once took is rarely given back (glibc's arenas, DuckDB's buffer pool), so
     * an export measured after another would start from the other's peak and hide its own.
     */
    const exportOnce = async (format: 'ndjson' | 'csv', limit: number | undefined) => {
      const server = await startOdp(0);
      try {
        // The serving copy is built first: its memory is the server's standing cost, not the export's.
        await servingCopyReady(bases.odp, auth);
        const query = `format=${format}${limit === undefined ? '' : `&limit=${limit}`}&${select}`;
        const measured = await streamExport(
          `${bases.odp}/v1/datasets/flights/records?${query}`,
          key,
          server.child.pid!,
        );
        const rows = measured.lines - (format === 'csv' ? 1 : 0);
        const expected = limit ?? lake.rows;
        if (rows !== expected) throw new Error(`the ${format} export sent ${rows} rows, not ${expected}`);
        const result = { rows, rowsPerSecond: Math.round(rows / measured.seconds), ...measured };
        process.stderr.write(
          `  export ${format} of ${rows} rows: ${result.rowsPerSecond} rows/s, RSS ${result.rssBeforeMiB} → peak ${result.rssPeakMiB} MiB\n`,
        );
        return result;
      } finally {
        await stopOdp(server);
      }
    };
    const export1m = await exportOnce('ndjson', 1_000_000);
    const exportAll = await exportOnce('ndjson', undefined);
    const exportCsv = await exportOnce('csv', undefined);

    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const settings = {
      load: { tool: 'autocannon 9.0.0', ...LOAD, pipelining: 1, seed: SEED },
      odpServer: {
        headline: shapingEnv(odpEnv(0)),
        cacheOn: shapingEnv(odpEnv(64)),
        exports: 'a fresh server with the headline settings for each export, one small read, then the export',
      },
      note: 'the machine may be shared while measured (see machine.loadAverage): compare ratios, not absolutes',
    };
    const results = {
      data: {
        dataset: 'flights-3m (vega-datasets), sortedBy [origin, date]',
        rows: lake.rows,
        snapshot: lake.currentSnapshot,
        olderSnapshot: lake.olderSnapshot,
      },
      query:
        '<origin|destination> = one of the 50 busiest (seeded, a new one per request) and date < a random day of 2001, ' +
        'order by date desc (by origin) or delay desc (by destination), limit 100, the 7 data columns',
      peers: {
        datasette:
          'datasette 0.65.5, --immutable SQLite with indexes on (origin, date) and (destination, date); count, facets and suggestions off',
        roapi: 'roapi 0.12.7 over the same rows as one Parquet file, queried through its SQL endpoint',
      },
      servingCopyBytes: servingBytes,
      targets: [
        odp,
        ceiling,
        datasette,
        roapi,
        odpOne,
        datasetteOne,
        asOf,
        odpOther,
        datasetteOther,
        roapiOther,
        cached,
        odpRepeated,
      ],
      ratios: {
        odpVsDatasette: ratio(odp.requestsPerSecond, datasette.requestsPerSecond),
        odpVsHttpCeiling: ratio(odp.requestsPerSecond, ceiling.requestsPerSecond),
        odpVsRoapi: ratio(odp.requestsPerSecond, roapi.requestsPerSecond),
        oneConnectionP50VsDatasette: ratio(odpOne.latencyMs.p50, datasetteOne.latencyMs.p50),
        asOfLatencyVsCurrent: ratio(asOf.latencyMs.mean, odp.latencyMs.mean),
        otherPathVsDatasette: ratio(odpOther.requestsPerSecond, datasetteOther.requestsPerSecond),
        otherPathVsRoapi: ratio(odpOther.requestsPerSecond, roapiOther.requestsPerSecond),
        cacheOnVsOff: ratio(cached.requestsPerSecond, odp.requestsPerSecond),
      },
      goals: {
        'varied, cache off: ≥ 2× Datasette req/s, p99 no worse':
          odp.requestsPerSecond >= 2 * datasette.requestsPerSecond &&
          odp.latencyMs.p99 <= datasette.latencyMs.p99,
        'varied, cache off: ≥ 3× ROAPI req/s': odp.requestsPerSecond >= 3 * roapi.requestsPerSecond,
        'one connection: p50 no worse than Datasette': odpOne.latencyMs.p50 <= datasetteOne.latencyMs.p50,
        'asOf within 1.25× of the current read': asOf.latencyMs.mean <= 1.25 * odp.latencyMs.mean,
        'NDJSON export of all rows ≥ 1M rows/s': exportAll.rowsPerSecond >= 1_000_000,
        'NDJSON export of 1M rows: peak RSS growth < 100 MiB': export1m.rssGrowthMiB < 100,
        'NDJSON export of all rows: peak RSS growth < 100 MiB': exportAll.rssGrowthMiB < 100,
        'CSV export of all rows: peak RSS growth < 100 MiB': exportCsv.rssGrowthMiB < 100,
      },
      export: { ndjson1m: export1m, ndjsonAll: exportAll, csvAll: exportCsv },
    };
    const file = await writeResults(from, settings, results);

    const table = [
      '| target | req/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|',
      ...results.targets.map(
        (t) => `| ${t.target} | ${t.requestsPerSecond} | ${t.latencyMs.p50} | ${t.latencyMs.p99} |`,
      ),
      '',
      `varied, cache off (headline): odp / datasette req/s ${results.ratios.odpVsDatasette}×, odp / roapi ${results.ratios.odpVsRoapi}×; ` +
        `1 connection p50 odp / datasette ${results.ratios.oneConnectionP50VsDatasette}×; asOf / current ${results.ratios.asOfLatencyVsCurrent}×; records / HTTP ceiling ${results.ratios.odpVsHttpCeiling}×`,
      `by destination (not the sort order): odp / datasette ${results.ratios.otherPathVsDatasette}×, odp / roapi ${results.ratios.otherPathVsRoapi}×`,
      `response cache on / off (secondary): ${results.ratios.cacheOnVsOff}×`,
      ...(['ndjson1m', 'ndjsonAll', 'csvAll'] as const).map((k) => {
        const e = results.export[k];
        return `export ${k}: ${e.rows} rows in ${e.seconds} s, ${e.rowsPerSecond} rows/s (fresh server: RSS ${e.rssBeforeMiB} → peak ${e.rssPeakMiB} MiB, +${e.rssGrowthMiB})`;
      }),
      ...Object.entries(results.goals).map(([goal, met]) => `${met ? 'met    ' : 'MISSED '} ${goal}`),
      `written to ${path.relative(repoRoot, file)}`,
    ];
    process.stdout.write(`${table.join('\n')}\n`);
    if (!Object.values(results.goals).every(Boolean)) process.exitCode = 1;
  } finally {
    stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
