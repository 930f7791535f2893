/**
 * One measured step of `bench:ingest`, in a process of its own so that its peak memory is its own. The lake is
 * the one the ODP_ environment names. Prints one JSON line: the step's seconds, what it did, and peak RSS.
 */
import { loadConfig } from '../src/config/config.js';
import type { Lake } from '../src/lake/lake.js';
import { rows } from '../src/lake/query.js';
import { ident, literal } from '../src/lake/quote.js';
import { sortTerms } from '../src/lake/sortOrder.js';
import { createLogger } from '../src/log.js';
import { ingest } from '../src/pipeline/ingest.js';
import { openRuntime } from '../src/runtime.js';
import { fromSource } from '../src/sources/source.js';

const [step, parquet] = process.argv.slice(2) as [string, string];
const runtime = await openRuntime(loadConfig(), createLogger('warn'));
const flights = runtime.dataset('flights');
const key = flights.key.map(ident);

/** The dataset's declared columns, typed as the pipeline stores them. */
const columns = flights.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
const names = flights.columns.map((c) => ident(c.name)).join(', ');

const sql = (lake: Lake, text: string) => lake.session((c) => rows<Record<string, unknown>>(c, text));

const steps: Record<string, () => Promise<Record<string, unknown>>> = {
  /** The whole pipeline: source → increment → validate → enrich → dedup → commit. */
  pipeline: async () => {
    const run = await ingest(runtime, {
      dataset: flights,
      trigger: 'manual',
      input: fromSource(flights, 'bundled'),
    });
    if (run.status !== 'succeeded') throw new Error(`the run ${run.status}: ${run.error}`);
    return { received: run.received, inserted: run.inserted, unchanged: run.unchanged, updated: run.updated };
  },
  /** The ceiling: DuckDB alone copying the file into an equal DuckLake table. */
  ceiling: async () => {
    await sql(runtime.lake, `CREATE OR REPLACE TABLE lake.main.flights_ceiling (${columns})`);
    // The same file layout the dataset declares, so both sides do the same sorting work.
    if (flights.sortedBy) {
      await sql(
        runtime.lake,
        `ALTER TABLE lake.main.flights_ceiling SET SORTED BY (${sortTerms(flights.sortedBy).join(', ')})`,
      );
    }
    const [inserted] = await sql(
      runtime.lake,
      `INSERT INTO lake.main.flights_ceiling SELECT ${names} FROM read_parquet(${literal(parquet)})`,
    );
    return { inserted: Number(Object.values(inserted ?? {})[0]) };
  },
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
