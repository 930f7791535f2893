/**
 * `npm run bench:sources`: the sources of open data against the plainest way to read them, measured side by side in
 * the same run, alternating, as the median of the rounds' ratios (each round runs both, one after the other):
 * - a paged API of 1M records (a CKAN-style stand-in served by another process on 127.0.0.1, 10,000 a page):
 *   ODP's paginator (retries, timeouts, per-page parsing, the pages' digest, one file per page) against a bare
 *   `fetch` loop over the same page URLs that saves each page to a file;
 * - an Italian-style CSV of 1M lines (two title lines, `;`, decimal commas, dd/mm/yyyy): ODP's CSV stage and
 *   typed casts by the declared separators against DuckDB's `read_csv` with the same options and column types.
 * Writes the result under service/bench/results/ with each goal met or missed; exits 1 unless every goal is met.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Dataset, DatasetSchema } from '../src/datasets/definition.js';
import { literal } from '../src/lake/quote.js';
import { typedSourceSql } from '../src/pipeline/validate.js';
import { csv } from '../src/sources/formats/csv.js';
import { stagedAsText } from '../src/sources/formats/format.js';
import { fetchPages } from '../src/sources/pages.js';
import { percentile } from './percentile.js';
import { provenance, writeResults } from './results.js';

const ROWS = 1_000_000;
const PAGE_SIZE = 10_000;
const ROUNDS = 11;
const GOAL = 1.5;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const definition = (source: Record<string, unknown>, columns: Record<string, unknown>[]): Dataset => ({
  ...DatasetSchema.parse({ name: 'bench', schedule: '0 * * * *', source, key: ['id'], columns }),
  file: path.join(os.tmpdir(), 'bench.yaml'),
});

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Runs each contender `ROUNDS` times, alternating, after one warm-up each; the medians, in ms. */
async function sideBySide(
  contenders: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const work of Object.values(contenders)) await work();
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, work] of Object.entries(contenders)) times[name]!.push(await timed(work));
  return times;
}

async function startApi(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('pagedApiServer.ts', import.meta.url))],
    {
      env: { ...process.env, ROWS: String(ROWS), PAGE_SIZE: String(PAGE_SIZE) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the paged API stand-in exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/api/3/action/datastore_search`, stop: () => child.kill() };
}

async function pagedApi(work: string) {
  const api = await startApi();
  try {
    const dataset = definition(
      {
        format: 'json',
        live: api.url,
        records: '$.result.records[*]',
        pages: { kind: 'offset', size: PAGE_SIZE },
      },
      [{ name: 'id', type: 'BIGINT', from: '$._id' }],
    );
    const access = { headers: {}, query: [], secrets: [] };
    let round = 0;
    const fresh = async () => {
      const dir = path.join(work, `pages-${round++}`);
      await mkdir(dir);
      return dir;
    };
    const pageCount = Math.ceil(ROWS / PAGE_SIZE) + 1; // and the empty page that ends the walk
    const times = await sideBySide({
      odp: async () => {
        const dir = await fresh();
        const fetched = await fetchPages(dataset, api.url, access, undefined, dir);
        if (fetched.kind !== 'payload' || fetched.files.length !== pageCount)
          throw new Error(
            `the paginator read ${fetched.kind === 'payload' ? fetched.files.length : 0} pages`,
          );
        await rm(dir, { recursive: true });
      },
      bare: async () => {
        const dir = await fresh();
        for (let page = 0; page < pageCount; page++) {
          const response = await fetch(`${api.url}?offset=${page * PAGE_SIZE}&limit=${PAGE_SIZE}`);
          await writeFile(path.join(dir, `page-${page}.json`), Buffer.from(await response.arrayBuffer()));
        }
        await rm(dir, { recursive: true });
      },
    });
    return { pages: pageCount, ...summary(times) };
  } finally {
    api.stop();
  }
}

/** An Italian-style file: title lines, `;`, decimal commas, dd/mm/yyyy dates. */
async function italianCsv(file: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run(`COPY (
      SELECT 'Comune di Forlì - Contributi' AS line UNION ALL SELECT 'Aggiornato al 30/11/2026'
      UNION ALL SELECT 'Codice;Area;Importo;Data'
      UNION ALL SELECT format('{};area-{};{};{}', i, i % 97, replace(printf('%.2f', (i * 7.31) % 10000), '.', ','),
                              strftime(DATE '2020-01-01' + (i % 2000)::INTEGER, '%d/%m/%Y'))
      FROM range(${ROWS}) t(i))
    TO ${literal(file)} (FORMAT csv, HEADER false, QUOTE '', DELIMITER '\t')`);
  connection.closeSync();
  db.closeSync();
}

async function dialectCsv(work: string) {
  const file = path.join(work, 'contributi.csv');
  await italianCsv(file);
  const dataset = definition({ format: 'csv', live: file, csv: { delimiter: ';', decimal: ',', skip: 2 } }, [
    { name: 'id', type: 'BIGINT', from: 'Codice' },
    { name: 'area', type: 'VARCHAR', from: 'Area' },
    { name: 'amount', type: 'DOUBLE', from: 'Importo' },
    { name: 'day', type: 'DATE', from: 'Data', format: '%d/%m/%Y' },
  ]);
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const check = async (table: string) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER, count(amount)::INTEGER, count(day)::INTEGER, sum(amount)::DECIMAL(18,2)::VARCHAR FROM ${table}`,
    );
    return JSON.stringify(reader.getRows()[0]);
  };
  try {
    const times = await sideBySide({
      odp: async () => {
        await csv.stage(connection, dataset, [file]);
        const text = await stagedAsText(connection, dataset);
        const typed = dataset.columns.map((c, i) => `${typedSourceSql(dataset, i, text)} AS ${c.name}`);
        await connection.run(
          `CREATE OR REPLACE TEMP TABLE odp_typed AS SELECT ${typed.join(', ')} FROM incoming`,
        );
      },
      duckdb: () =>
        connection.run(`CREATE OR REPLACE TEMP TABLE duckdb_typed AS SELECT Codice AS id, Area AS area, Importo AS amount, Data AS day
          FROM read_csv(${literal(file)},
          header = true, skip = 2, delim = ';', decimal_separator = ',', dateformat = '%d/%m/%Y',
          columns = {'Codice': 'BIGINT', 'Area': 'VARCHAR', 'Importo': 'DOUBLE', 'Data': 'DATE'})`),
    });
    const [ours, theirs] = [await check('odp_typed'), await check('duckdb_typed')];
    const expected = JSON.stringify([ROWS, ROWS, ROWS]);
    if (ours !== theirs || !ours.startsWith(expected.slice(0, -1)))
      throw new Error(`the readers disagree: ODP ${ours}, DuckDB ${theirs}`);
    return { rows: ROWS, sameValues: true, ...summary(times) };
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

function summary(times: Record<string, number[]>) {
  const [ours, baseline] = Object.entries(times);
  const median = (values: number[]) => Math.round(percentile(values, 50));
  return {
    medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    roundsMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map(Math.round)])),
    // Each round's two runs are side by side in time, so their ratio carries the machine's state of the moment
    // less than a ratio of medians taken across all rounds.
    ratio:
      Math.round(
        percentile(
          ours![1].map((t, i) => t / baseline![1][i]!),
          50,
        ) * 100,
      ) / 100,
  };
}

const from = provenance('sources');
const work = await mkdtemp(path.join(os.tmpdir(), 'odp-bench-sources-'));
try {
  process.stderr.write('paged API\n');
  const paged = await pagedApi(work);
  process.stderr.write('dialect CSV\n');
  const dialect = await dialectCsv(work);
  const goals = {
    [`paged API: ≤ ${GOAL}× a bare fetch loop`]: paged.ratio <= GOAL,
    [`dialect CSV: ≤ ${GOAL}× DuckDB's read_csv`]: dialect.ratio <= GOAL,
  };
  console.table({ 'paged API': paged.medianMs, 'dialect CSV': dialect.medianMs });
  console.log({ pagedRatio: paged.ratio, dialectRatio: dialect.ratio, goals });
  const written = await writeResults(
    from,
    { rows: ROWS, pageSize: PAGE_SIZE, rounds: ROUNDS, order: 'one warm-up each, then alternating rounds' },
    { goals, pagedApi: paged, dialectCsv: dialect },
  );
  console.log(`written to ${path.relative(repoRoot, written)}`);
  if (!Object.values(goals).every(Boolean)) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
