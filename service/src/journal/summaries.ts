import type { DuckDBConnection } from '@duckdb/node-api';
import type { Statement } from '../lake/query.js';
import { SUMMARIES } from './tables.js';

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
