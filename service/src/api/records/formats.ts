import type { Context } from 'koa';
import type { Statement } from '../../lake/query.js';
import { literal } from '../../lake/quote.js';
import { badRequest } from '../http/problem.js';
import { FORMATS, type Format } from './query.js';

export const MEDIA_TYPES: Record<Format, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** `?format=` wins over `Accept`; JSON when neither says otherwise. */
export function negotiate(ctx: Context): Format {
  const asked = ctx.query.format;
  if (asked !== undefined) {
    const format = (Array.isArray(asked) ? asked.at(-1) : asked) as Format;
    if (!FORMATS.includes(format)) {
      throw badRequest(`format must be one of ${FORMATS.join(', ')}`, [
        { parameter: 'format', message: `"${format}" is not a format this API serves` },
      ]);
    }
    return format;
  }
  const accepted = ctx.accepts(MEDIA_TYPES.json, MEDIA_TYPES.ndjson, 'text/csv', MEDIA_TYPES.parquet) as
    | string
    | false;
  return (
    (
      {
        'application/x-ndjson': 'ndjson',
        'text/csv': 'csv',
        'application/vnd.apache.parquet': 'parquet',
      } as Record<string, Format>
    )[accepted || ''] ?? 'json'
  );
}

const COPY_OPTIONS: Record<Exclude<Format, 'json'>, string> = {
  ndjson: 'FORMAT json',
  csv: "FORMAT csv, HEADER true, NEW_LINE '\\r\\n'",
  parquet: 'FORMAT parquet, COMPRESSION zstd',
};

/** The statement that has DuckDB write an export of `statement` into `file` (see `Exports`). */
export const copySql = (statement: Statement, file: string, format: Exclude<Format, 'json'>): string =>
  `COPY (${statement.sql}) TO ${literal(file)} (${COPY_OPTIONS[format]})`;
