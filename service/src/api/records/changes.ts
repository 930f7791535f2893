import type { DuckDBConnection } from '@duckdb/node-api';
import { messageOf } from '../../errors.js';
import { LAKE } from '../../lake/attach.js';
import { type Row, rows, type Statement } from '../../lake/query.js';
import { ident, literal } from '../../lake/quote.js';
import { snapshotSql } from '../../lake/snapshots.js';
import type { ColumnInfo } from '../http/catalogCache.js';
import { type CursorValue, type SortValueCheck, wholeNumber } from '../http/cursor.js';
import { kindOf, outputSql } from './values.js';

/** The feed is ordered by snapshot, row and change; a cursor carries those three whole numbers. */
export const CHANGE_ORDER: SortValueCheck[] = [wholeNumber, wholeNumber, wholeNumber];

/** Within one row of one snapshot: a delete, then an update's before image, its after image, then an insert. */
const CHANGE_RANK = `CASE change_type WHEN 'delete' THEN 0 WHEN 'update_preimage' THEN 1 WHEN 'update_postimage' THEN 2 ELSE 3 END`;

/** A change as the feed serves it, with the sort values of the next page's cursor. */
export interface Change extends Row {
  snapshot_id: number;
  rowid: number;
}

/** The snapshots a page of the feed covers, both included. */
export interface ChangeRange {
  from: number;
  to: number;
}

/**
 * The page's changes, read one beyond `limit`, after the cursor's (snapshot, row, rank) if any. An update that only
 * refreshed the stored content hash (see pipeline/screen.ts) changed nothing a client sees: its before and after
 * images are equal, and it is left out.
 */
export function changesSql(
  dataset: string,
  columns: readonly ColumnInfo[],
  range: ChangeRange,
  after: readonly CursorValue[] | undefined,
  limit: number,
): Statement {
  const times = columns.filter((c) => kindOf(c) === 'timestamp').map((c) => `, ${outputSql(c, 'json')}`);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const keyset = after
    ? `WHERE snapshot_id > CAST(? AS BIGINT) OR (snapshot_id = CAST(? AS BIGINT) AND (rowid > CAST(? AS BIGINT)
         OR (rowid = CAST(? AS BIGINT) AND _odp_rank > CAST(? AS INTEGER))))`
    : '';
  const [snapshot, row, rank] = (after ?? []).map(String);
  return {
    sql: `SELECT * REPLACE (snapshot_id::DOUBLE AS snapshot_id, rowid::DOUBLE AS rowid${times.join('')}) FROM (
        SELECT snapshot_id, rowid, change_type, ${names}, ${CHANGE_RANK} AS _odp_rank
        FROM ${LAKE}.table_changes(${literal(dataset)}, ${snapshotSql(range.from)}, ${snapshotSql(range.to)})
        WINDOW pair AS (PARTITION BY snapshot_id, rowid)
        QUALIFY change_type NOT LIKE 'update%'
             OR min(row(${names})) OVER pair IS DISTINCT FROM max(row(${names})) OVER pair)
      ${keyset} ORDER BY snapshot_id, rowid, _odp_rank LIMIT ${Math.trunc(limit) + 1}`,
    params: after ? [snapshot!, snapshot!, row!, row!, rank!] : [],
  };
}

/**
 * A page of the feed (see `changesSql`), each change with its cursor values; undefined when the dataset had no
 * table in the range (it was not ingested by then).
 */
export async function readChanges(
  connection: DuckDBConnection,
  statement: Statement,
): Promise<{ change: Change; after: CursorValue[] }[] | undefined> {
  let found: Row[];
  try {
    found = await rows(connection, statement.sql, statement.params);
  } catch (error) {
    if (/does not exist|not found/i.test(messageOf(error))) return undefined;
    throw error;
  }
  return found.map(({ _odp_rank, ...change }) => ({
    change: change as Change,
    after: [change.snapshot_id as number, change.rowid as number, _odp_rank as number],
  }));
}
