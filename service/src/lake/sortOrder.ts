import type { DuckDBConnection } from '@duckdb/node-api';
import { LAKE } from './attach.js';
import { rows } from './query.js';
import { ident } from './quote.js';
import { METADATA } from './snapshots.js';

/** `origin`, `date.desc` → `"origin" ASC, "date" DESC`: the form DuckLake stores and `SET SORTED BY` takes. */
export function sortTerms(sortedBy: readonly string[]): string[] {
  return sortedBy.map((term) => {
    const [column, direction = 'asc'] = term.split('.');
    return `${ident(column!)} ${direction.toUpperCase()}`;
  });
}

/** The sort order the lake keeps a table's files in now, as `sortTerms` wrote it; empty when it has none. */
export async function currentSortTerms(connection: DuckDBConnection, table: string): Promise<string[]> {
  const found = await rows<{ expression: string; sort_direction: string }>(
    connection,
    `SELECT e.expression, e.sort_direction
     FROM ${METADATA}.ducklake_sort_info i
     JOIN ${METADATA}.ducklake_sort_expression e ON e.sort_id = i.sort_id AND e.table_id = i.table_id
     JOIN ${METADATA}.ducklake_table t ON t.table_id = i.table_id AND t.end_snapshot IS NULL
     JOIN ${METADATA}.ducklake_schema s ON s.schema_id = t.schema_id AND s.end_snapshot IS NULL
     WHERE i.end_snapshot IS NULL AND s.schema_name = 'main' AND t.table_name = ?
     ORDER BY e.sort_key_index`,
    [table],
  );
  return found.map((f) => `${f.expression} ${f.sort_direction}`);
}

/**
 * The statement that makes the lake keep `table` in the declared order (files are sorted as they are written and
 * compacted), or none when it already does. `undefined` means no declared order.
 */
export async function sortOrderStatement(
  connection: DuckDBConnection,
  table: string,
  sortedBy: readonly string[] | undefined,
): Promise<string | undefined> {
  const wanted = sortedBy ? sortTerms(sortedBy) : [];
  const current = await currentSortTerms(connection, table);
  if (wanted.join(', ') === current.join(', ')) return undefined;
  const target = `${LAKE}.main.${ident(table)}`;
  return wanted.length === 0
    ? `ALTER TABLE ${target} RESET SORTED BY`
    : `ALTER TABLE ${target} SET SORTED BY (${wanted.join(', ')})`;
}
