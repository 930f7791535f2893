import type { DuckDBConnection } from '@duckdb/node-api';
import { LAKE } from '../lake/attach.js';
import { rows } from '../lake/query.js';
import { columnDefinition, JOURNAL_COLUMN_DEFINITIONS, RUN_COLUMNS, runsTableColumns } from './runColumns.js';

/** The journal lives in the lake beside the datasets, so a run's record and its quarantine commit with its data. */
export const RUNS = `${LAKE}.odp.runs`;
export const QUARANTINE = `${LAKE}.odp.quarantine`;
/** Summaries a language model wrote, by the hash of the text, so no text is summarised twice. */
export const SUMMARIES = `${LAKE}.odp.summaries`;
/** One row per run that could not summarise a text: later runs try it again until it has failed too often. */
export const SUMMARY_FAILURES = `${LAKE}.odp.summary_failures`;

const TABLES = [
  `CREATE SCHEMA IF NOT EXISTS ${LAKE}.odp`,
  `CREATE TABLE IF NOT EXISTS ${RUNS} (${runsTableColumns()})`,
  `CREATE TABLE IF NOT EXISTS ${QUARANTINE} (
     dataset VARCHAR NOT NULL, run_id VARCHAR NOT NULL, record_no BIGINT NOT NULL, raw VARCHAR,
     reason VARCHAR NOT NULL, codes VARCHAR[] NOT NULL, quarantined_at TIMESTAMPTZ NOT NULL, replayed_by VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${SUMMARIES} (
     dataset VARCHAR NOT NULL, enrichment VARCHAR NOT NULL, text_hash VARCHAR NOT NULL, summary VARCHAR NOT NULL,
     model VARCHAR NOT NULL, run_id VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${SUMMARY_FAILURES} (
     dataset VARCHAR NOT NULL, enrichment VARCHAR NOT NULL, text_hash VARCHAR NOT NULL, error VARCHAR NOT NULL,
     run_id VARCHAR NOT NULL)`,
];

/**
 * Creates the journal's tables where they are missing; every process that opens the lake does this once (on a
 * shared catalog under its setup lock, so replicas starting together never create the same table at once).
 */
export async function prepareJournal(connection: DuckDBConnection): Promise<void> {
  for (const statement of TABLES) await connection.run(statement);
  await addMissingRunColumns(connection);
}

/**
 * Lakes made before a field of `Run` (or a validator the journal keeps) existed gain its column; nothing is
 * written (no snapshot) once all are there.
 */
async function addMissingRunColumns(connection: DuckDBConnection): Promise<void> {
  const found = await rows<{ column_name: string }>(
    connection,
    `SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'odp' AND table_name = 'runs'`,
    [LAKE],
  );
  const present = new Set(found.map((c) => c.column_name));
  const wanted = [
    ...RUN_COLUMNS.map((c) => ({ name: c.name as string, definition: columnDefinition(c, true) })),
    ...JOURNAL_COLUMN_DEFINITIONS,
  ];
  for (const column of wanted.filter((c) => !present.has(c.name)))
    await connection.run(`ALTER TABLE ${RUNS} ADD COLUMN ${column.definition}`);
}

/** Answers once the journal can be read: what readiness means for the service. */
export async function probeJournal(connection: DuckDBConnection): Promise<void> {
  await connection.run(`SELECT count(*) FROM ${RUNS} WHERE false`);
}
