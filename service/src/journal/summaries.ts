import type { DuckDBConnection } from '@duckdb/node-api';
import type { Statement } from '../lake/query.js';
import { SUMMARIES, SUMMARY_FAILURES } from './tables.js';

/** Whose summaries: one enrichment of one dataset. */
export interface SummaryOwner {
  dataset: string;
  enrichment: string;
}

/**
 * Copies the summaries stored for `owner` into the session's temp table `into` (`text_hash`, `summary`), which
 * the run then reads as often as it needs without going back to the lake.
 */
export async function loadSummaries(
  connection: DuckDBConnection,
  owner: SummaryOwner,
  into: string,
): Promise<void> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${into} AS
     SELECT text_hash, summary FROM ${SUMMARIES} WHERE dataset = ? AND enrichment = ?`,
    [owner.dataset, owner.enrichment],
  );
}

/** The statement that stores the summaries of temp table `fresh` as `model` wrote them; it commits with the run. */
export function storeSummaries(
  owner: SummaryOwner,
  fresh: string,
  written: { model: string; runId: string },
): Statement {
  return {
    sql: `INSERT INTO ${SUMMARIES} SELECT ?, ?, text_hash, summary, ?, ? FROM ${fresh}`,
    params: [owner.dataset, owner.enrichment, written.model, written.runId],
  };
}

/** Copies how many runs could not summarise each of `owner`'s texts into temp table `into` (`text_hash`, `failures`). */
export async function loadFailures(
  connection: DuckDBConnection,
  owner: SummaryOwner,
  into: string,
): Promise<void> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${into} AS
     SELECT text_hash, count(*) AS failures FROM ${SUMMARY_FAILURES} WHERE dataset = ? AND enrichment = ?
     GROUP BY text_hash`,
    [owner.dataset, owner.enrichment],
  );
}

/** The statement that records the run's failures of temp table `failed` (`text_hash`, `error`); it commits with the run. */
export function storeFailures(owner: SummaryOwner, failed: string, runId: string): Statement {
  return {
    sql: `INSERT INTO ${SUMMARY_FAILURES} SELECT ?, ?, text_hash, error, ? FROM ${failed}`,
    params: [owner.dataset, owner.enrichment, runId],
  };
}
