import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../errors.js';
import { LAKE, METADATA_DATABASE } from './attach.js';
import { rows } from './query.js';
import { ident } from './quote.js';

/** DuckLake's own tables, in its catalog database. */
export const METADATA = ident(METADATA_DATABASE);

/** A snapshot id is a non-negative integer; only such numbers are ever written into SQL text. */
export function snapshotSql(snapshot: number): string {
  if (!Number.isSafeInteger(snapshot) || snapshot < 0) throw new Error(`not a snapshot id: ${snapshot}`);
  return String(snapshot);
}

/** A dataset's table as it was at a snapshot (time travel). */
export const tableAt = (dataset: string, snapshot: number): string =>
  `${LAKE}.main.${ident(dataset)} AT (VERSION => ${snapshotSql(snapshot)})`;

/** How many records a dataset's table held at a snapshot. */
export async function rowCountAt(
  connection: DuckDBConnection,
  dataset: string,
  snapshot: number,
): Promise<number> {
  const [c] = await rows<{ n: string }>(
    connection,
    `SELECT count(*) AS n FROM ${tableAt(dataset, snapshot)}`,
  );
  return Number(c?.n ?? 0);
}

/**
 * The lake's latest snapshot, read from DuckLake's snapshot table: every read asks, and this costs a quarter of
 * `current_snapshot()` (0.9 ms against 3.4–4.6 ms measured on the embedded catalog).
 */
export async function currentSnapshot(connection: DuckDBConnection): Promise<number> {
  const [row] = await rows<{ id: string | null }>(
    connection,
    `SELECT max(snapshot_id) AS id FROM ${METADATA}.ducklake_snapshot`,
  );
  return Number(row?.id ?? 0);
}

/** Whether the lake still has the snapshot (maintenance expires old ones). */
export async function hasSnapshot(connection: DuckDBConnection, id: number): Promise<boolean> {
  const [found] = await rows<{ n: string }>(
    connection,
    `SELECT count(*) AS n FROM ${LAKE}.snapshots() WHERE snapshot_id = ?`,
    [id],
  );
  return Number(found?.n) > 0;
}

/** The snapshot current at `time` (an ISO-8601 text), or null with the time of the oldest one kept. */
export async function snapshotAt(
  connection: DuckDBConnection,
  time: string,
): Promise<{ id: number | null; oldest: string | null }> {
  const [found] = await rows<{ id: string | null; first: string | null }>(
    connection,
    `SELECT max(snapshot_id) FILTER (WHERE snapshot_time <= CAST(? AS TIMESTAMPTZ)) AS id,
            min(snapshot_time)::VARCHAR AS first
     FROM ${LAKE}.snapshots()`,
    [time],
  );
  return { id: found?.id == null ? null : Number(found.id), oldest: found?.first ?? null };
}

/** A dataset table's columns at a snapshot, as DuckDB describes them; undefined if it had no table then. */
export async function columnsAt(
  connection: DuckDBConnection,
  dataset: string,
  snapshot: number,
): Promise<{ column_name: string; column_type: string; null: string }[] | undefined> {
  try {
    return await rows(connection, `DESCRIBE SELECT * FROM ${tableAt(dataset, snapshot)}`);
  } catch (error) {
    if (/does not exist|not found|No snapshot/i.test(messageOf(error))) return undefined;
    throw error;
  }
}
