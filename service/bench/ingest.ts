/**
 * `npm run bench:ingest`: the ingest pipeline on flights-3m measured side by side, in the same run, with
 * - the ceiling: DuckDB alone inserting the file into an equal DuckLake table,
 * - the peer: dlt (from PyPI, in a venv under ~/.cache/odp) merging the same file on the same key into DuckDB,
 * - for the unchanged re-run: a bare anti-join of the file against the stored table,
 * on the embedded default and on PostgreSQL + Azurite (started here and stopped afterwards), plus the PostgreSQL
 * catalog indexes measured before and after. Prints one table and writes it as JSON under service/bench/results/.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { CATALOG_INDEXES } from '../src/lake/catalogIndexes.js';
import { ScaleOut } from '../standins/scaleOut.js';
import { machine, writeResults } from './machine.js';

const run = promisify(execFile);
const serviceRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(serviceRoot, '..');
/** flights-3m as vega-datasets ships it (the package exports no paths, so walk up from its entry point). */
const parquet = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('vega-datasets')));
  while (path.basename(dir) !== 'vega-datasets') dir = path.dirname(dir);
  return path.join(dir, 'data', 'flights-3m.parquet');
})();
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

/** One step in a fresh process, as a replica would run it. */
async function step(name: string, env: NodeJS.ProcessEnv): Promise<Step> {
  const worker = path.join(serviceRoot, 'bench', 'ingest-worker.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, name, parquet], {
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

async function dlt(work: string): Promise<{ first: Step; rerun: Step }> {
  const python = await dltPython();
  const database = path.join(work, 'dlt.duckdb');
  const script = path.join(serviceRoot, 'bench', 'ingest-dlt.py');
  const once = async () =>
    lastJsonLine((await run(python, [script, parquet, database], { maxBuffer: 1 << 24 })).stdout, 'dlt');
  return { first: await once(), rerun: await once() };
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
  pipeline: Step;
  ceiling: Step;
  rerun: Step;
  antijoin: Step;
  filesBefore: number;
  filesAfter: number;
}

async function measure(backend: Backend): Promise<Measured> {
  process.stderr.write(`${backend.name}: pipeline (first load)\n`);
  const pipeline = await step('pipeline', backend.env);
  process.stderr.write(`${backend.name}: ceiling\n`);
  const ceiling = await step('ceiling', backend.env);
  const filesBefore = await backend.lakeFiles();
  process.stderr.write(`${backend.name}: unchanged re-run\n`);
  const rerun = await step('pipeline', backend.env);
  const filesAfter = await backend.lakeFiles();
  process.stderr.write(`${backend.name}: bare anti-join\n`);
  const antijoin = await step('antijoin', backend.env);
  const measured: Measured = {
    backend: backend.name,
    pipeline,
    ceiling,
    rerun,
    antijoin,
    filesBefore,
    filesAfter,
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
    process.stderr.write('dlt (peer)\n');
    const peer = await dlt(work);
    const embedded: Backend = {
      name: 'embedded (DuckDB catalog, local files)',
      env: { ...common, ODP_DATA_DIR: path.join(work, 'embedded') },
      lakeFiles: () => countFiles(path.join(work, 'embedded', 'lake')),
    };
    const results = [await measure(embedded)];
    stack = await ScaleOut.start();
    const scaled = stack;
    const scaleOut: Backend = {
      name: 'scale-out (PostgreSQL catalog, Azurite)',
      env: { ...scaled.env(datasets), ...common },
      lakeFiles: async () => (await scaled.lakeFiles()).length,
    };
    results.push(await measure(scaleOut));
    const indexes = await catalogIndexes(scaled, common, work);

    const rows = results.map((r) => {
      const received = Number(r.pipeline.received);
      const pipelineRate = received / r.pipeline.seconds;
      const ceilingRate = Number(r.ceiling.inserted) / r.ceiling.seconds;
      const dltRate = Number(peer.first.stored) / peer.first.seconds;
      return {
        backend: r.backend,
        rows: received,
        pipelineSeconds: round(r.pipeline.seconds),
        pipelineRowsPerSecond: Math.round(pipelineRate),
        pipelinePeakRssMb: r.pipeline.peakRssMb,
        ceilingSeconds: round(r.ceiling.seconds),
        ceilingRowsPerSecond: Math.round(ceilingRate),
        pipelineVsCeiling: round(pipelineRate / ceilingRate),
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
    const targets = { pipelineVsCeiling: '>= 0.5', pipelineVsDlt: '>= 10', rerunVsAntijoin: '<= 1.5' };
    console.table(
      rows.map((r) => ({
        backend: r.backend,
        'pipeline rows/s': r.pipelineRowsPerSecond,
        'peak RSS MB': r.pipelinePeakRssMb,
        'ceiling rows/s': r.ceilingRowsPerSecond,
        'vs ceiling (>=0.5)': r.pipelineVsCeiling,
        'dlt rows/s': r.dltRowsPerSecond,
        'vs dlt (>=10)': r.pipelineVsDlt,
        're-run s': r.rerunSeconds,
        'anti-join s': r.antijoinSeconds,
        're-run/anti-join (<=1.5)': r.rerunVsAntijoin,
        're-run new files': r.rerunNewDataFiles,
      })),
    );
    console.log(
      `PostgreSQL catalog listing ${indexes.files} data files: a small read takes ${indexes.readWithoutIndexesMs} ms without the catalog indexes, ${indexes.readWithIndexesMs} ms with them`,
    );
    const report = {
      benchmark: 'ingest',
      at: new Date().toISOString(),
      machine: machine(),
      dataset: 'flights-3m (vega-datasets)',
      peer: { tool: 'dlt', packages: DLT_PACKAGES, destination: 'duckdb', writeDisposition: 'merge' },
      targets,
      rows,
      catalogIndexes: indexes,
    };
    const file = await writeResults(report);
    console.log(`written to ${path.relative(repoRoot, file)}`);
  } finally {
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
