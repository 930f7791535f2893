import type { DuckDBConnection } from '@duckdb/node-api';
import { LAKE } from '../lake/attach.js';

/** The journal lives in the lake beside the datasets, so a run's record and its quarantine commit with its data. */
export const RUNS = `${LAKE}.odp.runs`;
export const QUARANTINE = `${LAKE}.odp.quarantine`;
/** Summaries a language model wrote, by the hash of the text, so no text is summarised twice. */
export const SUMMARIES = `${LAKE}.odp.summaries`;

const TABLES = [
  `CREATE SCHEMA IF NOT EXISTS ${LAKE}.odp`,
  `CREATE TABLE IF NOT EXISTS ${RUNS} (
     run_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, trigger VARCHAR NOT NULL, source VARCHAR NOT NULL,
     status VARCHAR NOT NULL, error VARCHAR, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ NOT NULL,
     received BIGINT NOT NULL, inserted BIGINT NOT NULL, updated BIGINT NOT NULL, unchanged BIGINT NOT NULL,
     quarantined BIGINT NOT NULL, increments VARCHAR[], source_etag VARCHAR, source_last_modified VARCHAR,
     notes VARCHAR[])`,
  // Lakes made before runs carried notes gain the column; a no-op (and no snapshot) once it is there.
  `ALTER TABLE ${RUNS} ADD COLUMN IF NOT EXISTS notes VARCHAR[]`,
  `CREATE TABLE IF NOT EXISTS ${QUARANTINE} (
     dataset VARCHAR NOT NULL, run_id VARCHAR NOT NULL, record_no BIGINT NOT NULL, raw VARCHAR,
     reason VARCHAR NOT NULL, codes VARCHAR[] NOT NULL, quarantined_at TIMESTAMPTZ NOT NULL, replayed_by VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${SUMMARIES} (
     dataset VARCHAR NOT NULL, enrichment VARCHAR NOT NULL, text_hash VARCHAR NOT NULL, summary VARCHAR NOT NULL,
     model VARCHAR NOT NULL, run_id VARCHAR NOT NULL)`,
];

/**
 * Creates the journal's tables where they are missing; every process that opens the lake does this once (on a
 * shared catalog under its setup lock, so replicas starting together never create the same table at once).
 */
export async function prepareJournal(connection: DuckDBConnection): Promise<void> {
  for (const statement of TABLES) await connection.run(statement);
}

/** Answers once the journal can be read: what readiness means for the service. */
export async function probeJournal(connection: DuckDBConnection): Promise<void> {
  await connection.run(`SELECT count(*) FROM ${RUNS} WHERE false`);
}
