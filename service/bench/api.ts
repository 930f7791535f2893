/**
 * `npm run bench:api`: our records endpoint against Datasette and ROAPI over the same 3M flights, driven in the
 * same run by the same load generator with the same settings; plus `asOf` against a current read and a 1M-row
 * NDJSON export. Prints a table and writes JSON under service/bench/results/.
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
import { machine, writeResults } from './machine.js';

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
async function exportRows(): Promise<{ rows: number; olderSnapshot: number; currentSnapshot: number }> {
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
      return {
        rows: Number(counted?.n),
        olderSnapshot: Number(older?.id),
        currentSnapshot: Number(current?.id),
      };
    });
  } finally {
    lake.close();
  }
}

interface Measured {
  target: string;
  url: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
  requests: number;
  non2xx: number;
  errors: number;
}

async function measure(target: string, url: string, headers: Record<string, string> = {}): Promise<Measured> {
  const options = { url, connections: LOAD.connections, headers };
  await autocannon({ ...options, duration: LOAD.warmup });
  const result = await autocannon({ ...options, duration: LOAD.duration });
  const measured = {
    target,
    url,
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

/** Resident memory of a process, from /proc (kB → MiB). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Streams an NDJSON export to nowhere, sampling the server's RSS every 50 ms. */
async function exportNdjson(url: string, key: string, pid: number) {
  const before = await rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    void rssMiB(pid).then((r) => {
      peak = Math.max(peak, r);
    });
  }, 50);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  await new Promise<void>((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${key}` } }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`export answered ${response.statusCode}`));
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        response.on('end', resolve);
        response.on('error', reject);
      })
      .on('error', reject);
  });
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  return {
    rows: lines,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(lines / seconds),
    megabytes: Math.round(bytes / 1e5) / 10,
    rssBeforeMiB: Math.round(before),
    rssPeakMiB: Math.round(peak),
  };
}

/** Fetches a URL and returns the dates of its rows, to check all three servers answer the same query. */
async function dates(
  url: string,
  headers: Record<string, string>,
  pick: (body: unknown) => unknown[],
): Promise<string[]> {
  const body = (await (await fetch(url, { headers })).json()) as unknown;
  return pick(body).map((r) =>
    String((r as { date: unknown }).date)
      .replace('T', ' ')
      .replace(/\.0+$/, ''),
  );
}

async function main(): Promise<void> {
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
  const startOdp = async (cacheMegabytes: number): Promise<Server> => {
    const server = await startServer(
      'odp',
      process.execPath,
      [cli, 'serve'],
      {
        ...env,
        ODP_PORT: String(PORTS.odp),
        ODP_SCHEDULER: 'false',
        ODP_LOG_LEVEL: 'info',
        ODP_API_KEYS_FILE: keysFile,
        ODP_API_CACHE_MB: String(cacheMegabytes),
        ODP_RATE_LIMIT_READ_PER_SECOND: '1000000',
        ODP_RATE_LIMIT_READ_BURST: '1000000',
      },
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
    const urls = {
      odp: `http://127.0.0.1:${PORTS.odp}/v1/datasets/flights/records?origin=eq.SFO&order=date.desc&limit=100&${select}`,
      datasette: `http://127.0.0.1:${PORTS.datasette}/flights/flights.json?origin=SFO&_sort_desc=date&_size=100&_shape=objects&_nocount=1&_nofacet=1&_nosuggest=1`,
      roapi: `http://127.0.0.1:${PORTS.roapi}/api/tables/flights?filter[origin]='SFO'&sort=-date&limit=100`,
    };
    const odpAsOf = `${urls.odp}&asOf=${lake.olderSnapshot}`;

    // The three answer the same query: the same 100 dates, newest first.
    let odpServer = await startOdp(64);
    const ours = await dates(urls.odp, auth, (b) => (b as { data: unknown[] }).data);
    const theirs = await dates(urls.datasette, {}, (b) => (b as { rows: unknown[] }).rows);
    const roapis = await dates(urls.roapi, {}, (b) => b as unknown[]);
    if (
      ours.length !== 100 ||
      JSON.stringify(ours) !== JSON.stringify(theirs) ||
      JSON.stringify(ours) !== JSON.stringify(roapis)
    ) {
      throw new Error(
        `the servers disagree:\n odp ${ours.slice(0, 3)}\n datasette ${theirs.slice(0, 3)}\n roapi ${roapis.slice(0, 3)}`,
      );
    }

    process.stderr.write(
      `measuring (${LOAD.connections} connections, ${LOAD.duration} s each after ${LOAD.warmup} s warm-up)\n`,
    );
    const datasette = await measure('datasette', urls.datasette);
    const roapi = await measure('roapi', urls.roapi);
    const odp = await measure('odp', urls.odp, auth);
    const asOf = await measure('odp asOf older snapshot', odpAsOf, auth);
    await stopOdp(odpServer);
    odpServer = await startOdp(0);
    const cold = await measure('odp, response cache off', urls.odp, auth);
    const coldAsOf = await measure('odp asOf, response cache off', odpAsOf, auth);

    const pid = odpServer.child.pid!;
    // Peak memory must not follow the row count: 1M rows, then all 3M.
    const exportUrl = (limit: string) =>
      `http://127.0.0.1:${PORTS.odp}/v1/datasets/flights/records?format=ndjson${limit}&${select}`;
    const export1m = await exportNdjson(exportUrl('&limit=1000000'), key, pid);
    const exportAll = await exportNdjson(exportUrl(''), key, pid);

    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const results = {
      benchmark: 'api',
      at: new Date().toISOString(),
      machine: {
        ...machine(),
        note: 'shared with other engineers while measured; short runs (see load) — compare ratios, not absolutes',
      },
      load: { tool: 'autocannon 9.0.0', ...LOAD, pipelining: 1 },
      data: {
        dataset: 'flights-3m (vega-datasets)',
        rows: lake.rows,
        snapshot: lake.currentSnapshot,
        olderSnapshot: lake.olderSnapshot,
      },
      query: 'origin = SFO, order by date desc, limit 100, the 7 data columns',
      peers: {
        datasette:
          'datasette 0.65.5, --immutable SQLite with an index on (origin, date); count, facets and suggestions off',
        roapi: 'roapi 0.12.7 over the same rows as one Parquet file',
      },
      targets: [odp, asOf, cold, coldAsOf, datasette, roapi],
      ratios: {
        odpVsDatasette: ratio(odp.requestsPerSecond, datasette.requestsPerSecond),
        odpVsRoapi: ratio(odp.requestsPerSecond, roapi.requestsPerSecond),
        asOfLatencyVsCurrent: ratio(asOf.latencyMs.mean, odp.latencyMs.mean),
        cacheOffVsDatasette: ratio(cold.requestsPerSecond, datasette.requestsPerSecond),
        cacheOffVsRoapi: ratio(cold.requestsPerSecond, roapi.requestsPerSecond),
        cacheOffAsOfLatencyVsCurrent: ratio(coldAsOf.latencyMs.mean, cold.latencyMs.mean),
      },
      notes: [
        'odp answers a repeated query from its snapshot-keyed response cache (exact: a snapshot never changes); ' +
          'the "response cache off" rows run DuckDB for every request, as a query seen for the first time does',
      ],
      goals: {
        '≥ 2× Datasette req/s at p99 no worse':
          odp.requestsPerSecond >= 2 * datasette.requestsPerSecond &&
          odp.latencyMs.p99 <= datasette.latencyMs.p99,
        '≥ 1.5× ROAPI req/s at p99 no worse':
          odp.requestsPerSecond >= 1.5 * roapi.requestsPerSecond && odp.latencyMs.p99 <= roapi.latencyMs.p99,
        'asOf within 1.2× of the current read': asOf.latencyMs.mean <= 1.2 * odp.latencyMs.mean,
        'response cache off: ≥ 2× Datasette req/s': cold.requestsPerSecond >= 2 * datasette.requestsPerSecond,
        'response cache off: ≥ 1.5× ROAPI req/s': cold.requestsPerSecond >= 1.5 * roapi.requestsPerSecond,
        'response cache off: asOf within 1.2× of the current read':
          coldAsOf.latencyMs.mean <= 1.2 * cold.latencyMs.mean,
      },
      export: { format: 'ndjson', rows1m: export1m, allRows: exportAll },
    };
    const file = await writeResults(results);

    const table = [
      '| target | req/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|',
      ...results.targets.map(
        (t) => `| ${t.target} | ${t.requestsPerSecond} | ${t.latencyMs.p50} | ${t.latencyMs.p99} |`,
      ),
      '',
      `odp / datasette req/s: ${results.ratios.odpVsDatasette}×   odp / roapi: ${results.ratios.odpVsRoapi}×   asOf / current mean latency: ${results.ratios.asOfLatencyVsCurrent}×`,
      `response cache off: odp / datasette req/s: ${results.ratios.cacheOffVsDatasette}×   odp / roapi: ${results.ratios.cacheOffVsRoapi}×   asOf / current: ${results.ratios.cacheOffAsOfLatencyVsCurrent}×`,
      `NDJSON export: 1M rows ${export1m.seconds} s, ${export1m.rowsPerSecond} rows/s (RSS ${export1m.rssBeforeMiB} → peak ${export1m.rssPeakMiB} MiB); all ${exportAll.rows} rows ${exportAll.seconds} s, ${exportAll.rowsPerSecond} rows/s (RSS ${exportAll.rssBeforeMiB} → peak ${exportAll.rssPeakMiB} MiB)`,
      ...Object.entries(results.goals).map(([goal, met]) => `${met ? 'met    ' : 'MISSED '} ${goal}`),
      `written to ${path.relative(repoRoot, file)}`,
    ];
    process.stdout.write(`${table.join('\n')}\n`);
  } finally {
    stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
