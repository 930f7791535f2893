import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo } from '../api/http/catalogCache.js';
import type { Filter, RecordQuery } from '../api/records/query.js';
import { paramValue } from '../api/records/values.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { servingMetrics } from './metrics.js';

const DAY_MS = 86_400_000;

/**
 * Row counts of a copy per value of its sort order's first column and day of its second (a TIMESTAMP column),
 * newest day first: enough to find, for the everyday query (one value of the first column, newest first before a
 * time), the day from which the page's rows must all come. Bounding the second column there lets the copy's
 * row-group statistics skip all but a day or so of rows instead of every row of that value. Held in the
 * process, so finding the day costs no query.
 */
export interface DayCounts {
  dataset: string;
  prefix: string;
  time: string;
  byValue: ReadonlyMap<string, { days: Float64Array; counts: Float64Array }>;
}

/** A copy's day counts, when its sort order allows them (a text first column, a TIMESTAMP second). */
export async function dayCounts(
  connection: DuckDBConnection,
  dataset: string,
  copy: string,
  sortedBy: readonly string[] | undefined,
  columns: ReadonlyMap<string, ColumnInfo>,
): Promise<DayCounts | undefined> {
  const [prefix, time] = (sortedBy ?? []).map((term) => term.split('.')[0]!);
  if (!prefix || !time || columns.get(prefix)?.type !== 'VARCHAR' || columns.get(time)?.type !== 'TIMESTAMP')
    return undefined;
  const found = await rows<{ k: string; days: number[]; counts: number[] }>(
    connection,
    `SELECT k, list(day ORDER BY day DESC) AS days, list(n ORDER BY day DESC) AS counts FROM (
       SELECT ${ident(prefix)} AS k, epoch_ms(date_trunc('day', ${ident(time)}))::DOUBLE AS day, count(*)::DOUBLE AS n
       FROM ${copy} WHERE ${ident(prefix)} IS NOT NULL AND ${ident(time)} IS NOT NULL GROUP BY ALL
     ) GROUP BY k`,
  );
  const byValue = new Map(
    found.map((f) => [f.k, { days: Float64Array.from(f.days), counts: Float64Array.from(f.counts) }]),
  );
  return { dataset, prefix, time, byValue };
}

/** A bound's value as milliseconds since the epoch, rounded down (a later bound would count rows outside it). */
function boundMs(column: ColumnInfo, value: string): number {
  return Date.parse(`${paramValue(column, value).replace(' ', 'T').replace(/Z$/, '')}Z`);
}

/**
 * The query with one more filter, `time >= <day>`, that cannot change its answer: from that day up to the query's
 * upper bounds there are at least as many rows as the page reads, so its rows all come from there. Only for a page
 * with no cursor, filtered on one value of the first column and below times on the second, newest first; any
 * other query is returned as it is.
 */
export function narrowed(counts: DayCounts | undefined, query: RecordQuery, cursor: unknown): RecordQuery {
  const [order] = query.sort;
  if (!counts || cursor !== undefined || query.limit === undefined) return query;
  if (order?.column.name !== counts.time || order.direction !== 'desc') return query;
  const prefix = query.filters.filter((f) => f.column.name === counts.prefix);
  const upper = query.filters.filter(
    (f): f is Filter & { value: string } =>
      f.column.name === counts.time && (f.op === 'lt' || f.op === 'lte'),
  );
  const [key] = prefix;
  if (prefix.length !== 1 || key?.op !== 'eq' || upper.length + 1 !== query.filters.length) return query;
  const ofValue = counts.byValue.get(key.value);
  if (!ofValue) return query;
  // Only days that end at or before every upper bound count: all their rows are in the answer's range.
  const until = Math.min(...upper.map((f) => boundMs(f.column, f.value)));
  if (Number.isNaN(until)) return query;
  const wanted = query.limit + 1;
  let reached = 0;
  for (let i = 0; i < ofValue.days.length; i++) {
    const day = ofValue.days[i]!;
    if (day + DAY_MS > until) continue;
    reached += ofValue.counts[i]!;
    if (reached >= wanted) {
      servingMetrics.narrowed.inc({ dataset: counts.dataset });
      const bound: Filter = { column: order.column, op: 'gte', value: new Date(day).toISOString() };
      return { ...query, filters: [...query.filters, bound] };
    }
  }
  return query;
}
