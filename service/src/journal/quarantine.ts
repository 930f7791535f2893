import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { rows, type Statement } from '../lake/query.js';
import { QUARANTINE } from './tables.js';

/** A record a run could not store, kept with the reason until a later run re-drives it. */
export const QuarantinedRecord = z.object({
  dataset: z.string(),
  run_id: z.string(),
  record_no: z.union([z.number(), z.string()]).describe('its place in the run’s payload'),
  raw: z.string().nullable().describe('the record as received'),
  reason: z.string(),
  codes: z.array(z.string()),
  quarantined_at: z.string(),
  replayed_by: z.string().nullable().describe('the run that re-drove the record, if any'),
});
export type QuarantinedRecord = z.infer<typeof QuarantinedRecord>;

export interface QuarantineFilter {
  runId?: string | undefined;
  /** Also records already re-driven by a later run. */
  includeReplayed?: boolean;
  limit?: number;
}

/** The filter as a WHERE condition; the dataset and the run id (a client's `?run=`) are bound. */
export function quarantineWhere(dataset: string, filter: QuarantineFilter): Statement {
  const clauses = ['dataset = ?'];
  const params = [dataset];
  if (!filter.includeReplayed) clauses.push('replayed_by IS NULL');
  if (filter.runId) {
    clauses.push('run_id = ?');
    params.push(filter.runId);
  }
  return { sql: clauses.join(' AND '), params };
}

/**
 * The statement that quarantines a run's rejected records. `rejected` is a query with the columns `record_no`,
 * `raw`, `reason` and `codes`; the statement joins the transaction that commits the run.
 */
export function quarantineSql(
  dataset: string,
  run: { run_id: string; started_at: string },
  rejected: string,
): Statement {
  return {
    sql: `INSERT INTO ${QUARANTINE}
      SELECT ?, ?, record_no, raw, reason, codes, ?::TIMESTAMPTZ, NULL FROM (${rejected})`,
    params: [dataset, run.run_id, run.started_at],
  };
}

export async function listQuarantine(
  connection: DuckDBConnection,
  dataset: string,
  filter: QuarantineFilter = {},
): Promise<QuarantinedRecord[]> {
  const where = quarantineWhere(dataset, filter);
  return rows<QuarantinedRecord>(
    connection,
    `SELECT * FROM ${QUARANTINE} WHERE ${where.sql}
     ORDER BY quarantined_at, run_id, record_no LIMIT ${Math.trunc(filter.limit ?? 1000)}`,
    where.params,
  );
}

/** How many of the dataset's quarantined records wait for a re-drive. */
export async function quarantineCount(connection: DuckDBConnection, dataset: string): Promise<number> {
  const where = quarantineWhere(dataset, {});
  const [found] = await rows<{ n: string }>(
    connection,
    `SELECT count(*) AS n FROM ${QUARANTINE} WHERE ${where.sql}`,
    where.params,
  );
  return Number(found?.n ?? 0);
}

/** The raw records a re-drive reads: those not yet re-driven, in the order they were quarantined. */
export async function pendingRecords(
  connection: DuckDBConnection,
  dataset: string,
  filter: QuarantineFilter,
): Promise<string[]> {
  const where = quarantineWhere(dataset, { ...filter, includeReplayed: false });
  const found = await rows<{ raw: string }>(
    connection,
    `SELECT raw FROM ${QUARANTINE} WHERE ${where.sql} ORDER BY run_id, record_no`,
    where.params,
  );
  return found.map((r) => r.raw);
}

/**
 * Marks the records a re-drive read as re-driven by its run, in the run's own commit: nothing is re-driven twice,
 * and records the run quarantines again (with its id) stay pending.
 */
export function markRedrivenSql(dataset: string, filter: QuarantineFilter, runId: string): Statement {
  const pending = quarantineWhere(dataset, { ...filter, includeReplayed: false });
  return {
    sql: `UPDATE ${QUARANTINE} SET replayed_by = ? WHERE ${pending.sql} AND run_id <> ?`,
    params: [runId, ...pending.params, runId],
  };
}
