/**
 * One measured step of `bench:ingest`, in a process of its own so that its peak memory is its own. The lake is
 * the one the ODP_ environment names. Prints one JSON line: the step's seconds, what it did, and peak RSS.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { newRunId, type Run } from '../src/journal/run.js';
import type { Lake } from '../src/lake/lake.js';
import { rows } from '../src/lake/query.js';
import { ident, literal } from '../src/lake/quote.js';
import { sortTerms } from '../src/lake/sortOrder.js';
import { createLogger } from '../src/log.js';
import { ingest } from '../src/pipeline/ingest.js';
import { openRuntime } from '../src/runtime.js';
import { fromSource } from '../src/sources/source.js';

/**
 * `input` is flights-3m.parquet for the bulk steps, the folder of earthquake payloads for the feed steps, and a
 * query for `content`.
 */
const [step, input] = process.argv.slice(2) as [string, string];
const parquet = input;
const config = loadConfig();
// Logs go to stderr, so the one JSON line on stdout stays the result; ODP_LOG_LEVEL=debug shows stage times.
const runtime = await openRuntime(config, createLogger(config.logLevel, 2));
const flights = runtime.dataset('flights');
const earthquakes = runtime.dataset('earthquakes');
const key = flights.key.map(ident);

/** The dataset's declared columns, typed as the pipeline stores them. */
const columns = flights.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
const names = flights.columns.map((c) => ident(c.name)).join(', ');

const sql = (lake: Lake, text: string) => lake.session((c) => rows<Record<string, unknown>>(c, text));

/**
 * `INSERT … SELECT DISTINCT` of flights-3m into `table`, sorted as the dataset declares; `stored` adds derived
 * columns. DISTINCT because the file holds exact copies of some flights and the dataset's key is the whole record:
 * the pipeline stores each once, and a ceiling must store the same rows.
 */
async function bareInsert(table: string, stored: boolean): Promise<Record<string, unknown>> {
  const derived = stored ? flights.enrich.flatMap((e) => ('expr' in e ? [e] : [])) : [];
  const provenance = stored ? ['_odp_run_id VARCHAR', '_odp_ingested_at TIMESTAMPTZ'] : [];
  const definition = [
    columns,
    ...derived.map((e) => `${ident(e.name)} ${e.type ?? 'VARCHAR'}`),
    ...provenance,
  ];
  await sql(runtime.lake, `CREATE OR REPLACE TABLE ${table} (${definition.join(', ')})`);
  if (flights.sortedBy) {
    await sql(runtime.lake, `ALTER TABLE ${table} SET SORTED BY (${sortTerms(flights.sortedBy).join(', ')})`);
  }
  const values = [
    names,
    ...derived.map((e) => e.expr),
    ...(stored ? [literal(newRunId('flights', new Date())), 'now()'] : []),
  ];
  const [inserted] = await sql(
    runtime.lake,
    `INSERT INTO ${table} SELECT ${values.join(', ')} FROM (SELECT DISTINCT ${names} FROM read_parquet(${literal(parquet)}))`,
  );
  return { inserted: Number(Object.values(inserted ?? {})[0]) };
}

/** The feed's payloads in the order they are ingested. */
const payloads = async () =>
  (await readdir(input))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(input, f));

/** Runs `work` once per payload, one after another, and reports each run's milliseconds. */
async function timedRuns(work: (file: string) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (const file of await payloads()) {
    const started = performance.now();
    await work(file);
    ms.push(performance.now() - started);
  }
  return ms;
}

const steps: Record<string, () => Promise<Record<string, unknown>>> = {
  /** The whole pipeline: source → increment → screen → validate → enrich → dedup → commit. */
  pipeline: async () => {
    const run = await ingest(runtime, {
      dataset: flights,
      trigger: 'manual',
      input: fromSource(flights, 'bundled'),
    });
    if (run.status !== 'succeeded') throw new Error(`the run ${run.status}: ${run.error}`);
    return { received: run.received, inserted: run.inserted, unchanged: run.unchanged, updated: run.updated };
  },
  /** A small frequent feed: the earthquake payloads ingested one after another by one long-lived process. */
  feed: async () => {
    const runs: Run[] = [];
    const ms = await timedRuns(async (file) => {
      const run = await ingest(runtime, {
        dataset: earthquakes,
        trigger: 'schedule',
        input: {
          kind: 'source',
          source: file,
          fetch: async () => ({ kind: 'payload', source: file, files: [file], validators: {} }),
        },
      });
      if (run.status !== 'succeeded') throw new Error(`the run ${run.status}: ${run.error}`);
      runs.push(run);
    });
    const [stored] = await sql(runtime.lake, 'SELECT count(*) AS n FROM lake.main.earthquakes');
    return {
      runs: ms,
      counts: runs.map(({ received, inserted, updated, unchanged, quarantined }) => ({
        received,
        inserted,
        updated,
        unchanged,
        quarantined,
      })),
      stored: Number(stored?.n),
    };
  },
  /** The feed's ceiling: DuckDB alone inserting each payload's records into an equal DuckLake table. */
  'feed-bare': async () => {
    const table = 'lake.main.earthquakes_bare';
    const typed = earthquakes.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
    await sql(runtime.lake, `CREATE OR REPLACE TABLE ${table} (${typed})`);
    const values = earthquakes.columns.map((c) => {
      const value = `f.${(c.from ?? c.name).slice(2).replace(/\[(\d+)\]/g, '[$1 + 1]')}`;
      return c.format === 'epoch_ms' ? `epoch_ms(${value}::BIGINT)::${c.type}` : `${value}::${c.type}`;
    });
    const ms = await timedRuns(async (file) => {
      await sql(
        runtime.lake,
        `INSERT INTO ${table} SELECT ${values.join(', ')} FROM (SELECT unnest(features) AS f FROM read_json(${literal(file)}))`,
      );
    });
    const [stored] = await sql(runtime.lake, `SELECT count(*) AS n FROM ${table}`);
    return { runs: ms, stored: Number(stored?.n) };
  },
  /**
   * The ceiling: DuckDB alone inserting the file into a DuckLake table with the columns the dataset stores (its
   * declared and derived columns and the run's provenance), in its sort order, so both sides write the same table.
   */
  ceiling: () => bareInsert('lake.main.flights_ceiling', true),
  /** The same without derived and provenance columns: the file's own columns only. */
  'ceiling-declared': () => bareInsert('lake.main.flights_declared', false),
  /** What an unchanged re-run must at least do: find that every key of the file is already stored. */
  antijoin: async () => {
    const [found] = await sql(
      runtime.lake,
      `SELECT count(*) AS new_keys FROM read_parquet(${literal(parquet)}) s
       ANTI JOIN lake.main.flights t ON ${key.map((k) => `s.${k} = t.${k}`).join(' AND ')}`,
    );
    return { newKeys: Number(found?.new_keys) };
  },
  /**
   * Many files in the catalog, as a lake accumulates them between compactions: a copy of the file partitioned by
   * origin and month (some thousands of files, each with its column statistics in the catalog).
   */
  'many-files': async () => {
    await sql(runtime.lake, `CREATE OR REPLACE TABLE lake.main.flights_partitioned (${columns})`);
    await sql(
      runtime.lake,
      'ALTER TABLE lake.main.flights_partitioned SET PARTITIONED BY (origin, month(date))',
    );
    await sql(
      runtime.lake,
      `INSERT INTO lake.main.flights_partitioned SELECT ${names} FROM read_parquet(${literal(parquet)})`,
    );
    const [listed] = await sql(
      runtime.lake,
      "SELECT count(*) AS n FROM ducklake_list_files('lake', 'flights_partitioned')",
    );
    return { files: Number(listed?.n) };
  },
  /**
   * What a query's rows are: their count and a hash of their values (a sum over rows, so order does not count and
   * a doubled row does), to tell whether two contenders stored the same rows.
   */
  content: async () => {
    const [found] = await sql(
      runtime.lake,
      `SELECT count(*) AS n, coalesce(sum(hash(r)), 0)::VARCHAR AS h FROM (${input}) r`,
    );
    return { rows: Number(found?.n), hash: String(found?.h) };
  },
  /** A small read as the API makes it, repeated: with a PostgreSQL catalog its time is mostly catalog queries. */
  probe: async () => {
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      await sql(runtime.lake, "SELECT * FROM lake.main.flights_ceiling WHERE origin = 'SEA' LIMIT 10");
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[times.length >> 1] };
  },
};

const work = steps[step];
if (!work) throw new Error(`unknown step ${step}: one of ${Object.keys(steps).join(', ')}`);
const started = performance.now();
const result = await work();
const seconds = (performance.now() - started) / 1000;
runtime.close();
process.stdout.write(
  `${JSON.stringify({ step, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...result })}\n`,
);
