import type { DuckDBConnection } from '@duckdb/node-api';
import type { Statement } from '../lake/query.js';
import { SUMMARIES, SUMMARY_FAILURES } from './tables.js';

/** Whose summaries: one enrichment of one dataset. */
export interface SummaryOwner {
  dataset: string;
  enrichment: string;
}

/**
 * Copies `select` over `owner`'s rows of `table` into the session's temp table `into`, which the run then reads
 * as often as it needs without going back to the lake.
 */
async function loadOwned(
  connection: DuckDBConnection,
  owner: SummaryOwner,
  into: string,
  select: string,
  table: string,
  groupBy = '',
): Promise<void> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${into} AS
     SELECT ${select} FROM ${table} WHERE dataset = ? AND enrichment = ? ${groupBy}`,
    [owner.dataset, owner.enrichment],
  );
}

/** Copies the summaries stored for `owner` into temp table `into` (`text_hash`, `summary`). */
export const loadSummaries = (connection: DuckDBConnection, owner: SummaryOwner, into: string) =>
  loadOwned(connection, owner, into, 'text_hash, summary', SUMMARIES);

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
export const loadFailures = (connection: DuckDBConnection, owner: SummaryOwner, into: string) =>
  loadOwned(
    connection,
    owner,
    into,
    'text_hash, count(*) AS failures',
    SUMMARY_FAILURES,
    'GROUP BY text_hash',
  );

/** The statement that records the run's failures of temp table `failed` (`text_hash`, `error`); it commits with the run. */
export function storeFailures(owner: SummaryOwner, failed: string, runId: string): Statement {
  return {
    sql: `INSERT INTO ${SUMMARY_FAILURES} SELECT ?, ?, text_hash, error, ? FROM ${failed}`,
    params: [owner.dataset, owner.enrichment, runId],
  };
}
