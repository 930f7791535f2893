/**
 * `npm run bench:ingest`: the ingest pipeline on flights-3m measured side by side, in the same run, with
 * - the ceiling: DuckDB alone inserting the file into an equal DuckLake table,
 * - the peer: dlt (from PyPI, in a venv under ~/.cache/odp) merging the same file on the same key into DuckDB,
 * - for the unchanged re-run: a bare anti-join of the file against the stored table,
 * and a small frequent feed (earthquake payloads ingested 20 times in a row by one process) against dlt merging
 * the same payloads and DuckDB alone inserting them,
 * on the embedded default and on PostgreSQL + Azurite (started here and stopped afterwards), plus the PostgreSQL
 * catalog indexes measured before and after. Rates are rows of the file received per second, for every contender.
 * Checks that the pipeline, the bare inserts and dlt end with the same rows (count and a hash over the key columns;
 * for the feed, over the key and its version). Prints one table and writes it as JSON under
 * service/bench/results/, with each goal met or missed; exits 1 unless every goal is met, the same rows among them.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { CATALOG_INDEXES } from '../src/lake/catalogIndexes.js';
import { literal } from '../src/lake/quote.js';
import { ScaleOut } from '../standins/scaleOut.js';
import { percentile } from './percentile.js';
import { provenance, shapingEnv, writeResults } from './results.js';
import { seeded } from './seeded.js';

const run = promisify(execFile);
const serviceRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(serviceRoot, '..');
/** A file as vega-datasets ships it (the package exports no paths, so walk up from its entry point). */
function vegaData(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('vega-datasets')));
  while (path.basename(dir) !== 'vega-datasets') dir = path.dirname(dir);
  return path.join(dir, 'data', name);
}
const parquet = vegaData('flights-3m.parquet');
const venv = path.join(os.homedir(), '.cache', 'odp', 'dlt-venv');
/** The peer, pinned. */
const DLT_PACKAGES = ['dlt[duckdb]==1.31.0', 'duckdb==2.0.0', 'pyarrow==26.0.1'];

interface Step {
  step: string;
  seconds: number;
  peakRssMb: number;
  [detail: string]: unknown;
}

function lastJsonLine(stdout: string, what: string): Step {
  const line = stdout.trim().split('\n').at(-1);
  if (!line?.startsWith('{')) throw new Error(`${what} printed no result:\n${stdout}`);
  return JSON.parse(line) as Step;
}

/**
 * One step in a fresh process, as a replica would run it. `input` is flights-3m, the feed's payload folder, or the
 * query whose content a `content` step reports.
 */
async function step(name: string, env: NodeJS.ProcessEnv, input = parquet): Promise<Step> {
  const worker = path.join(serviceRoot, 'bench', 'ingest-worker.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, name, input], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(lastJsonLine(stdout, name))
        : reject(new Error(`step ${name} exited with ${code}`)),
    );
  });
}

async function dltPython(): Promise<string> {
  const python = path.join(venv, 'bin', 'python');
  const ready = await run(python, ['-c', 'import dlt, duckdb, pyarrow; print(dlt.__version__)']).then(
    ({ stdout }) => stdout.trim() === '1.31.0',
    () => false,
  );
  if (!ready) {
    process.stderr.write(`installing ${DLT_PACKAGES.join(' ')} into ${venv}\n`);
    await run('python3', ['-m', 'venv', venv]);
    await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', ...DLT_PACKAGES], { maxBuffer: 1 << 24 });
  }
  return python;
}

/** dlt's first load and unchanged re-run; `storedKeys` is where it writes the key columns it ends with. */
async function dlt(work: string, storedKeys: string): Promise<{ first: Step; rerun: Step }> {
  const python = await dltPython();
  const database = path.join(work, 'dlt.duckdb');
  const script = path.join(serviceRoot, 'bench', 'ingest-dlt.py');
  const once = async () =>
    lastJsonLine(
      (await run(python, [script, parquet, database, storedKeys], { maxBuffer: 1 << 24 })).stdout,
      'dlt',
    );
  return { first: await once(), rerun: await once() };
}

/** The small feed: 20 earthquake payloads in a row, cycling new events, the same payload again, 5% of it updated. */
const FEED_RUNS = 20;
const FEED_SEED = 20261202;
const FEED_KINDS = ['new', 'unchanged', 'updated'] as const;
type FeedKind = (typeof FEED_KINDS)[number];

interface Feature {
  id: string;
  properties: { updated: number; mag: number | null };
}

/** Writes the feed's payloads as `p00.json`…; returns each run's kind. */
async function feedPayloads(dir: string): Promise<FeedKind[]> {
  const original = JSON.parse(await readFile(vegaData('earthquakes.json'), 'utf8')) as {
    features: Feature[];
  };
  const random = seeded(FEED_SEED);
  await mkdir(dir, { recursive: true });
  const kinds: FeedKind[] = [];
  let current = original;
  for (let run = 0; run < FEED_RUNS; run++) {
    const kind = FEED_KINDS[run % FEED_KINDS.length]!;
    if (kind === 'new') {
      // The same shape of payload with events the lake has not seen: every record is inserted.
      current = structuredClone(original);
      for (const f of current.features) f.id = `${f.id}-r${run}`;
    } else if (kind === 'updated') {
      current = structuredClone(current);
      for (const f of current.features) {
        if (random() < 0.05) f.properties.updated += 60_000;
      }
    }
    kinds.push(kind);
    await writeFile(path.join(dir, `p${String(run).padStart(2, '0')}.json`), JSON.stringify(current));
  }
  return kinds;
}

async function dltFeed(work: string, dir: string, storedKeys: string): Promise<Step> {
  const python = await dltPython();
  const files = (await readdir(dir)).sort().map((f) => path.join(dir, f));
  const script = path.join(serviceRoot, 'bench', 'ingest-dlt-feed.py');
  const database = path.join(work, 'dlt-feed.duckdb');
  return lastJsonLine(
    (await run(python, [script, database, storedKeys, ...files], { maxBuffer: 1 << 24 })).stdout,
    'dlt feed',
  );
}

/**
 * The rows every contender must end with, as queries over their tables: the key columns (flights), and for the
 * feed the key and its version (`updated` in epoch milliseconds, as dlt stores it). Each column is cast to one
 * type, since a value's hash depends on its type and the contenders store integers at different widths.
 */
const flightsKeys = (from: string) =>
  `SELECT date::TIMESTAMP, origin::VARCHAR, destination::VARCHAR, delay::BIGINT, distance::BIGINT FROM ${from}`;
const feedKeys = (from: string, updated: string) => `SELECT id::VARCHAR, (${updated})::BIGINT FROM ${from}`;

interface Content {
  rows: number;
  hash: string;
}

/** A query's row count and content hash, read by a worker (`env` names the lake its tables are in). */
async function content(env: NodeJS.ProcessEnv, query: string): Promise<Content> {
  const { rows, hash } = await step('content', env, query);
  return { rows: Number(rows), hash: String(hash) };
}

/** Whether every contender holds the same rows: one count and one hash among them all. */
function agree(contents: Record<string, Content>): boolean {
  const distinct = new Set(Object.values(contents).map((c) => `${c.rows}:${c.hash}`));
  return distinct.size === 1;
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.parquet')).length;
}

interface Backend {
  name: string;
  env: NodeJS.ProcessEnv;
  lakeFiles(): Promise<number>;
}

interface Measured {
  backend: string;
  feed: Step;
  feedBare: Step;
  pipeline: Step;
  ceiling: Step;
  ceilingDeclared: Step;
  rerun: Step;
  antijoin: Step;
  filesBefore: number;
  filesAfter: number;
  /** What the pipeline (after its unchanged re-run) and the bare inserts stored. */
  stored: { pipeline: Content; ceiling: Content; ceilingDeclared: Content };
  feedStored: Content;
}

async function measure(backend: Backend, feedDir: string): Promise<Measured> {
  process.stderr.write(`${backend.name}: small feed, ${FEED_RUNS} runs in one process\n`);
  const feed = await step('feed', backend.env, feedDir);
  process.stderr.write(`${backend.name}: small feed, bare inserts\n`);
  const feedBare = await step('feed-bare', backend.env, feedDir);
  process.stderr.write(`${backend.name}: pipeline (first load)\n`);
  const pipeline = await step('pipeline', backend.env);
  process.stderr.write(`${backend.name}: ceiling\n`);
  const ceiling = await step('ceiling', backend.env);
  const ceilingDeclared = await step('ceiling-declared', backend.env);
  const filesBefore = await backend.lakeFiles();
  process.stderr.write(`${backend.name}: unchanged re-run\n`);
  const rerun = await step('pipeline', backend.env);
  const filesAfter = await backend.lakeFiles();
  process.stderr.write(`${backend.name}: bare anti-join\n`);
  const antijoin = await step('antijoin', backend.env);
  process.stderr.write(`${backend.name}: what each stored\n`);
  const stored = {
    pipeline: await content(backend.env, flightsKeys('lake.main.flights')),
    ceiling: await content(backend.env, flightsKeys('lake.main.flights_ceiling')),
    ceilingDeclared: await content(backend.env, flightsKeys('lake.main.flights_declared')),
  };
  const feedStored = await content(backend.env, feedKeys('lake.main.earthquakes', 'epoch_ms(updated)'));
  const measured: Measured = {
    backend: backend.name,
    feed,
    feedBare,
    pipeline,
    ceiling,
    ceilingDeclared,
    rerun,
    antijoin,
    filesBefore,
    filesAfter,
    stored,
    feedStored,
  };
  return measured;
}

/**
 * The same small read with and without the catalog indexes, once the PostgreSQL catalog lists many files. The
 * catalog is what is measured, so its files are on local disk (thousands of small blobs would time Azurite).
 */
async function catalogIndexes(stack: ScaleOut, env: NodeJS.ProcessEnv, work: string) {
  process.stderr.write('PostgreSQL catalog indexes\n');
  const password = 'bench-index-catalog';
  await stack.postgres.createCatalog('odp_index_bench', password, 'ducklake_index_bench');
  const local = {
    ...env,
    ODP_CATALOG: `postgres:${stack.postgres.conninfo('odp_index_bench', 'ducklake_index_bench')}`,
    PGPASSWORD: password,
    ODP_DATA_PATH: path.join(work, 'index-bench', 'lake'),
    ODP_INCREMENTS: path.join(work, 'index-bench', 'increments'),
  };
  await step('ceiling', local);
  const { files } = await step('many-files', local);
  const names = CATALOG_INDEXES.map((sql) => /EXISTS (\S+)/.exec(sql)?.[1] as string);
  const catalog = (sql: string) => stack.postgres.admin((c) => c.query(sql), 'ducklake_index_bench');
  await catalog(`DROP INDEX ${names.join(', ')}`);
  await catalog('ANALYZE');
  const without = await step('probe', local);
  for (const sql of CATALOG_INDEXES) await catalog(sql);
  await catalog('ANALYZE');
  const withIndexes = await step('probe', local);
  return {
    files: Number(files),
    readWithoutIndexesMs: round(Number(without.medianMs), 1),
    readWithIndexesMs: round(Number(withIndexes.medianMs), 1),
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const from = provenance('ingest');
  await access(parquet);
  const work = await mkdtemp(path.join(os.tmpdir(), 'odp-bench-ingest-'));
  const datasets = path.join(serviceRoot, 'datasets');
  const common = {
    ODP_DATASETS: datasets,
    ODP_LOG_LEVEL: 'warn',
    ODP_EXTENSION_DIR: loadConfig().extensionDir,
  };
  let stack: ScaleOut | undefined;
  try {
    await readFile(parquet); // warm the page cache for every contender alike
    const feedDir = path.join(work, 'feed');
    const feedKinds = await feedPayloads(feedDir);
    process.stderr.write('dlt (peer)\n');
    const dltKeys = path.join(work, 'dlt-flights-keys.parquet');
    const peer = await dlt(work, dltKeys);
    process.stderr.write(`dlt (peer), small feed of ${FEED_RUNS} runs\n`);
    const dltFeedKeys = path.join(work, 'dlt-feed-keys.parquet');
    const peerFeed = await dltFeed(work, feedDir, dltFeedKeys);
    const embedded: Backend = {
      name: 'embedded (DuckDB catalog, local files)',
      env: { ...common, ODP_DATA_DIR: path.join(work, 'embedded') },
      lakeFiles: () => countFiles(path.join(work, 'embedded', 'lake')),
    };
    const results = [await measure(embedded, feedDir)];
    stack = await ScaleOut.start();
    const scaled = stack;
    const scaleOut: Backend = {
      name: 'scale-out (PostgreSQL catalog, Azurite)',
      env: { ...scaled.env(datasets), ...common },
      lakeFiles: async () => (await scaled.lakeFiles()).length,
    };
    results.push(await measure(scaleOut, feedDir));
    const indexes = await catalogIndexes(scaled, common, work);

    // Every contender ends with the same rows, or its speed is not comparable.
    const source = await content(embedded.env, flightsKeys(`read_parquet(${literal(parquet)})`));
    const bulkStored: Record<string, Content> = {
      dlt: await content(embedded.env, flightsKeys(`read_parquet(${literal(dltKeys)})`)),
    };
    const feedStored: Record<string, Content> = {
      dlt: await content(embedded.env, feedKeys(`read_parquet(${literal(dltFeedKeys)})`, 'updated')),
    };
    for (const r of results) {
      for (const [who, stored] of Object.entries(r.stored)) bulkStored[`${who}, ${r.backend}`] = stored;
      feedStored[`pipeline, ${r.backend}`] = r.feedStored;
    }
    const received = [peer.first.received, ...results.map((r) => r.pipeline.received)].map(Number);
    if (received.some((n) => n !== source.rows))
      throw new Error(`the contenders received ${received.join(', ')} rows; the file holds ${source.rows}`);
    const sameRows = {
      fileRows: source.rows,
      bulk: { agree: agree(bulkStored), ...bulkStored },
      feed: { agree: agree(feedStored), ...feedStored },
    };

    // One basis for every rate: rows of the file received per second (each contender reads all of them).
    const perSecond = (seconds: number) => source.rows / seconds;
    const rows = results.map((r) => {
      const pipelineRate = perSecond(r.pipeline.seconds);
      const ceilingRate = perSecond(r.ceiling.seconds);
      const declaredRate = perSecond(r.ceilingDeclared.seconds);
      const dltRate = perSecond(peer.first.seconds);
      return {
        backend: r.backend,
        rowsReceived: source.rows,
        rowsStored: r.stored.pipeline.rows,
        pipelineSeconds: round(r.pipeline.seconds),
        pipelineRowsPerSecond: Math.round(pipelineRate),
        pipelinePeakRssMb: r.pipeline.peakRssMb,
        ceilingSeconds: round(r.ceiling.seconds),
        ceilingRowsPerSecond: Math.round(ceilingRate),
        ceilingPeakRssMb: r.ceiling.peakRssMb,
        pipelineVsCeiling: round(pipelineRate / ceilingRate),
        declaredCeilingSeconds: round(r.ceilingDeclared.seconds),
        pipelineVsDeclaredCeiling: round(pipelineRate / declaredRate),
        dltSeconds: round(peer.first.seconds),
        dltRowsPerSecond: Math.round(dltRate),
        dltPeakRssMb: peer.first.peakRssMb,
        pipelineVsDlt: round(pipelineRate / dltRate),
        rerunSeconds: round(r.rerun.seconds),
        rerunPeakRssMb: r.rerun.peakRssMb,
        rerunInserted: r.rerun.inserted,
        rerunUpdated: r.rerun.updated,
        rerunNewDataFiles: r.filesAfter - r.filesBefore,
        antijoinSeconds: round(r.antijoin.seconds),
        rerunVsAntijoin: round(r.rerun.seconds / r.antijoin.seconds),
        dltRerunSeconds: round(peer.rerun.seconds),
      };
    });
    const feedRows = results.map((r) => {
      const ours = r.feed.runs as number[];
      const bare = r.feedBare.runs as number[];
      const dltMs = (peerFeed.runs as number[]).map((s) => s * 1000);
      const byKind = (kind: FeedKind) =>
        round(
          percentile(
            ours.filter((_, i) => feedKinds[i] === kind),
            50,
          ),
          0,
        );
      return {
        backend: r.backend,
        runs: ours.length,
        medianMs: round(percentile(ours, 50), 0),
        p95Ms: round(percentile(ours, 95), 0),
        newMedianMs: byKind('new'),
        unchangedMedianMs: byKind('unchanged'),
        updatedMedianMs: byKind('updated'),
        peakRssMb: r.feed.peakRssMb,
        bareMedianMs: round(percentile(bare, 50), 0),
        bareP95Ms: round(percentile(bare, 95), 0),
        dltMedianMs: round(percentile(dltMs, 50), 0),
        dltP95Ms: round(percentile(dltMs, 95), 0),
        fasterThanDlt: round(percentile(dltMs, 50) / percentile(ours, 50), 1),
        vsBareInsert: round(percentile(ours, 50) / percentile(bare, 50)),
        storedRecords: r.feed.stored,
        dltStoredRecords: peerFeed.stored,
      };
    });
    // Each goal holds on both setups.
    const goals = {
      'the pipeline, the bare inserts and dlt store the same rows (bulk and feed)':
        sameRows.bulk.agree && sameRows.feed.agree,
      'bulk: pipeline ≥ 0.5× the bare insert (rows/s)': rows.every((r) => r.pipelineVsCeiling >= 0.5),
      'bulk: unchanged re-run ≤ 1.5× the anti-join': rows.every((r) => r.rerunVsAntijoin <= 1.5),
      'bulk: pipeline peak RSS ≤ 1024 MB': rows.every((r) => r.pipelinePeakRssMb <= 1024),
      'feed: median run ≥ 10× faster than dlt': feedRows.every((r) => r.fasterThanDlt >= 10),
      'feed: median run ≤ 3× the bare insert': feedRows.every((r) => r.vsBareInsert <= 3),
    };
    console.log('Bulk: flights-3m, first load and unchanged re-run, each in a fresh process');
    console.table(
      rows.map((r) => ({
        backend: r.backend,
        'pipeline s': r.pipelineSeconds,
        'peak RSS MB (<=1024)': r.pipelinePeakRssMb,
        'ceiling s': r.ceilingSeconds,
        'vs ceiling (>=0.5)': r.pipelineVsCeiling,
        'vs declared-columns insert': r.pipelineVsDeclaredCeiling,
        'dlt s': r.dltSeconds,
        'vs dlt': r.pipelineVsDlt,
        're-run s': r.rerunSeconds,
        'anti-join s': r.antijoinSeconds,
        're-run/anti-join (<=1.5)': r.rerunVsAntijoin,
        're-run new files': r.rerunNewDataFiles,
      })),
    );
    console.log(
      `Small feed: earthquakes, ${FEED_RUNS} runs in one process (${FEED_KINDS.join(' / ')} in turn, 5% of records updated, seed ${FEED_SEED}); ms per run`,
    );
    console.table(
      feedRows.map((r) => ({
        backend: r.backend,
        'median ms': r.medianMs,
        'p95 ms': r.p95Ms,
        'new / unchanged / updated': `${r.newMedianMs} / ${r.unchangedMedianMs} / ${r.updatedMedianMs}`,
        'bare insert median (p95)': `${r.bareMedianMs} (${r.bareP95Ms})`,
        'dlt median (p95)': `${r.dltMedianMs} (${r.dltP95Ms})`,
        'faster than dlt (>=10)': r.fasterThanDlt,
        'vs bare insert (<=3)': r.vsBareInsert,
      })),
    );
    console.log(
      `PostgreSQL catalog listing ${indexes.files} data files: a small read takes ${indexes.readWithoutIndexesMs} ms without the catalog indexes, ${indexes.readWithIndexesMs} ms with them`,
    );
    console.log(
      `Same rows: bulk ${sameRows.bulk.agree ? 'agree' : 'DIFFER'}, feed ${sameRows.feed.agree ? 'agree' : 'DIFFER'} (rows and key hash per contender in the results)`,
    );
    for (const [goal, met] of Object.entries(goals)) console.log(`${met ? 'met    ' : 'MISSED '} ${goal}`);
    const settings = {
      rateBasis: 'rows of flights-3m received per second, for the pipeline, the bare inserts and dlt alike',
      peer: { tool: 'dlt', packages: DLT_PACKAGES, destination: 'duckdb', writeDisposition: 'merge' },
      feed: { runs: FEED_RUNS, seed: FEED_SEED, kinds: feedKinds },
      steps: 'each step in a fresh process, in the order of the table',
      worker: { [embedded.name]: shapingEnv(embedded.env), [scaleOut.name]: shapingEnv(scaleOut.env) },
    };
    const written = await writeResults(from, settings, {
      dataset: 'flights-3m (vega-datasets); earthquakes (vega-datasets) for the small feed',
      goals,
      sameRows,
      rows,
      feedRows,
      catalogIndexes: indexes,
    });
    console.log(`written to ${path.relative(repoRoot, written)}`);
    if (!Object.values(goals).every(Boolean)) process.exitCode = 1;
  } finally {
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
