import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from 'koa';
import { literal } from '../../lake/quote.js';
import { badRequest } from '../problem.js';
import { FORMATS, type Format } from './query.js';
import type { Statement } from './statement.js';

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

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Rows streamed as NDJSON or CSV, chunk by chunk as DuckDB produces them; the client's reading pace drives the
 * query (backpressure), so memory stays flat whatever the row count. `done` runs once, however the stream ends.
 */
export async function streamRows(
  connection: DuckDBConnection,
  statement: Statement,
  format: 'ndjson' | 'csv',
  done: () => void,
): Promise<Readable> {
  const result = await connection.stream(statement.sql, statement.params);
  const columns = result.columnNames();
  async function* lines(): AsyncGenerator<string> {
    try {
      if (format === 'csv') yield `${columns.map(csvField).join(',')}\r\n`;
      for await (const chunk of result.yieldRowsJson()) {
        yield format === 'csv'
          ? chunk.map((row) => `${row.map(csvField).join(',')}\r\n`).join('')
          : chunk
              .map((row) => `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]])))}\n`)
              .join('');
      }
    } finally {
      done();
    }
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 << 16 });
}

/** Parquet is written by DuckDB into a private temporary file, then streamed; the file goes when the response ends. */
export async function parquetFile(connection: DuckDBConnection, statement: Statement): Promise<Readable> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-export-'));
  const file = path.join(dir, 'export.parquet');
  try {
    await connection.run(
      `COPY (${statement.sql}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`,
      statement.params,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const stream = createReadStream(file);
  stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  return stream;
}
