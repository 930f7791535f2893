import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo } from '../api/http/catalogCache.js';
import type { Filter, RecordQuery } from '../api/records/query.js';
import { castParam, paramValue } from '../api/records/values.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { servingMetrics } from './metrics.js';

/**
 * Row counts of a copy per value of its sort order's first column and day of its second (a TIMESTAMP column):
 * enough to find, for the everyday query (one value of the first column, newest first before a time), the day
 * from which the page's rows must all come. Bounding the second column there lets the copy's row-group
 * statistics skip all but a day or so of rows instead of every row of that value.
 */
export interface DayCounts {
  dataset: string;
  table: string;
  prefix: string;
  time: string;
}

/** The statement that builds a copy's day counts, when its sort order allows them. */
export function dayCountsSql(
  dataset: string,
  copy: string,
  table: string,
  sortedBy: readonly string[] | undefined,
  columns: ReadonlyMap<string, ColumnInfo>,
): { sql: string; counts: DayCounts } | undefined {
  const [first, second] = (sortedBy ?? []).map((term) => term.split('.')[0]!);
  if (!first || !second || columns.get(second)?.type !== 'TIMESTAMP') return undefined;
  const counts = { dataset, table, prefix: first, time: second };
  return {
    counts,
    sql:
      `CREATE TABLE ${table} AS SELECT ${ident(first)} AS k, date_trunc('day', ${ident(second)}) AS day, count(*) AS n ` +
      `FROM ${copy} WHERE ${ident(second)} IS NOT NULL GROUP BY ALL ORDER BY k, day`,
  };
}

/**
 * The query with one more filter, `time >= <day>`, that cannot change its answer: from that day up to the query's
 * upper bound there are at least as many rows as the page reads, so its rows all come from there. Only for a page
 * with no cursor, filtered on one value of the first column and below a time on the second, newest first; any
 * other query is returned as it is.
 */
export async function narrowed(
  connection: DuckDBConnection,
  counts: DayCounts | undefined,
  query: RecordQuery,
  cursor: unknown,
): Promise<RecordQuery> {
  const [order] = query.sort;
  if (!counts || cursor !== undefined || query.limit === undefined) return query;
  if (order?.column.name !== counts.time || order.direction !== 'desc') return query;
  const prefix = query.filters.filter((f) => f.column.name === counts.prefix);
  const upper = query.filters.filter(
    (f) => f.column.name === counts.time && (f.op === 'lt' || f.op === 'lte'),
  );
  const [key] = prefix;
  if (prefix.length !== 1 || key?.op !== 'eq' || upper.length + 1 !== query.filters.length) return query;
  const params: string[] = [paramValue(key.column, key.value)];
  // Only days that end at or before every upper bound count: all their rows are in the answer's range.
  const below = upper.map((f) => {
    params.push(paramValue(f.column, (f as { value: string }).value));
    return ` AND day + INTERVAL 1 DAY <= ${castParam(f.column)}`;
  });
  params.push(String(query.limit + 1));
  const [found] = await rows<{ day: string }>(
    connection,
    `SELECT strftime(day, '%Y-%m-%d %H:%M:%S') AS day FROM (
       SELECT day, sum(n) OVER (ORDER BY day DESC) AS reached FROM ${counts.table}
       WHERE k = ${castParam(key.column)}${below.join('')}
     ) WHERE reached >= CAST(? AS BIGINT) ORDER BY day DESC LIMIT 1`,
    params,
  );
  if (!found) return query;
  servingMetrics.narrowed.inc({ dataset: counts.dataset });
  const bound: Filter = { column: order.column, op: 'gte', value: found.day };
  return { ...query, filters: [...query.filters, bound] };
}
