import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import { messageOf } from '../../errors.js';
import { preparedRows } from '../../lake/prepared.js';
import { type Row, rows, type Statement } from '../../lake/query.js';
import { tableAt } from '../../lake/snapshots.js';
import type { Source } from '../../serving/copies.js';
import { narrowed } from '../../serving/narrowing.js';
import type { ColumnInfo } from '../http/catalogCache.js';
import { answerFromCache } from '../http/conditional.js';
import { type Cursor, checkCursor, invalidCursor, readCursor, type SortValueCheck } from '../http/cursor.js';
import { keysetPage } from '../http/paging.js';
import type { JsonSchema } from '../http/parameters.js';
import { badRequest, notFound, Problem } from '../http/problem.js';
import { withDeadline } from '../http/sessions.js';
import type { ExportWriter } from '../records/exports.js';
import { MEDIA_TYPES, negotiate } from '../records/formats.js';
import {
  AsOf,
  columnListPatterns,
  DEFAULT_PAGE,
  type Filter,
  filterPattern,
  OPERATORS,
  parseRecordQuery,
  RecordParams,
  type RecordQuery,
} from '../records/query.js';
import { recordByKeySql, recordsSql, sortAlias } from '../records/statement.js';
import { documentedValue, invalidValue, kindOf } from '../records/values.js';
import { type Link, route, type Services } from './route.js';
import { DatasetName, HEADERS, NOT_MODIFIED, problemResponses, recordColumns, rowSchema } from './schemas.js';

/** DuckDB's own messages never reach a client; a value it still refuses becomes a plain 400. */
export function explainLakeError(error: unknown): never {
  const message = messageOf(error);
  if (/^(Conversion|Out of Range|Invalid Input) Error/i.test(message)) {
    throw badRequest('a filter or cursor value cannot be read as its column’s type');
  }
  throw error;
}

/** A cursor's sort value must be a value of its column, or NULL (which sorts last). */
const sortValueOf =
  (column: ColumnInfo): SortValueCheck =>
  (value) =>
    value === null ? undefined : invalidValue(column, String(value));

/** The snapshot a request reads: its cursor's, its `asOf`, or the lake's current one. */
async function readSnapshot(
  connection: DuckDBConnection,
  services: Services,
  asOf: string | undefined,
): Promise<{ snapshot: number; pinned: boolean }> {
  if (asOf !== undefined)
    return { snapshot: await services.catalog.resolveAsOf(connection, asOf), pinned: true };
  return { snapshot: await services.catalog.currentSnapshot(connection), pinned: false };
}

const CSV_FORMULAS =
  "In CSV, a text value that starts with =, +, -, @, a tab or a carriage return is written with a leading `'`, " +
  'so that a spreadsheet shows it rather than running it as a formula; numbers are written as they are.';

export const records = route({
  path: '/v1/datasets/:name/records',
  operationId: 'listRecords',
  summary: 'Records of a dataset: filtered, ordered, paged by cursor, optionally as of a past snapshot',
  description:
    'Filter with `?<column>=<op>.<value>` (ops: eq, neq, gt, gte, lt, lte, like, ilike (`*` is the wildcard), ' +
    'in.(a,b), is.null|not_null|true|false); several filters are ANDed. JSON pages carry `next`, a cursor that ' +
    'pins the snapshot of the first page. NDJSON and CSV stream; Parquet is written by DuckDB. ' +
    CSV_FORMULAS,
  access: 'read',
  perDataset: true,
  params: z.object({ name: DatasetName }),
  query: RecordParams,
  extraQuery: (dataset) =>
    [...dataset.columns, ...dataset.enrich].map((c) => ({
      name: c.name,
      description: `filter on ${c.name}: <op>.<value>, op one of ${OPERATORS.join(', ')}`,
      schema: { type: 'string', pattern: filterPattern({ type: c.type ?? '' }) },
    })),
  documentedFor: (dataset) => columnListPatterns(recordColumns(dataset).map((c) => c.name)),
  responses: (dataset) => ({
    '200': {
      description: 'a page of records (JSON) or the whole selection (NDJSON, CSV, Parquet)',
      headers: { ETag: HEADERS.ETag, 'ODP-Snapshot': HEADERS.Snapshot },
      links: dataset ? recordLinks(dataset) : {},
      content: {
        [MEDIA_TYPES.json]: {
          type: 'object',
          required: ['data', 'next', 'snapshot'],
          properties: {
            data: { type: 'array', items: dataset ? rowSchema(dataset) : { type: 'object' } },
            next: {
              type: ['string', 'null'],
              description:
                'cursor of the next page, null on the last: send it as `cursor` with the same filters, select and order',
            },
            snapshot: { type: 'integer', description: 'the lake snapshot this page was read from' },
          },
        },
        [MEDIA_TYPES.ndjson]: { type: 'string' },
        'text/csv': { type: 'string', description: CSV_FORMULAS },
        [MEDIA_TYPES.parquet]: { type: 'string', contentEncoding: 'binary' },
      },
    },
    '304': NOT_MODIFIED,
    ...problemResponses(404, 503),
  }),
  handle: async function handleListRecords(ctx, { params, query }, services) {
    const dataset = services.runtime.dataset(params.name);
    const format = negotiate(ctx);
    const cursor = query.cursor === undefined ? undefined : readCursor(query.cursor);
    // An export holds a slot from before it takes a session until its client has read it (see `Exports`).
    const read = (write?: ExportWriter) =>
      services.sessions.use(async (connection) => {
        const { snapshot, pinned } = cursor
          ? { snapshot: cursor.snapshot, pinned: true }
          : await readSnapshot(connection, services, query.asOf);
        const schema = await services.catalog
          .schema(connection, dataset, snapshot)
          .catch((error: unknown) => {
            throw cursor && error instanceof Problem && error.status === 404
              ? invalidCursor(
                  `pins snapshot ${snapshot}, at which ${dataset.name} has no data (it may have expired)`,
                )
              : error;
          });
        const parsed = parseRecordQuery(dataset, schema, ctx.query, format);
        if (cursor)
          checkCursor(
            cursor,
            parsed.normalized,
            parsed.sort.map((term) => sortValueOf(term.column)),
          );
        const cacheKey = [
          dataset.name,
          snapshot,
          parsed.normalized,
          format,
          parsed.limit ?? '',
          query.cursor ?? '',
        ];
        if (answerFromCache(ctx, cacheKey, pinned)) return;
        ctx.set('ODP-Snapshot', String(snapshot));
        ctx.type = MEDIA_TYPES[format];
        if (format === 'json') {
          const etag = ctx.response.get('ETag');
          let body = services.responses.get(etag);
          if (body === undefined) {
            const source = services.serving.source(dataset, schema, snapshot, !pinned);
            const found = await withDeadline(connection, services.settings.requestTimeoutMs, () =>
              page(connection, source, snapshot, narrowed(source.days, parsed, cursor), cursor),
            );
            body = JSON.stringify(found);
            services.responses.set(etag, body);
          }
          ctx.body = body;
          return;
        }
        // Exports read the lake: they stream at DuckDB's pace whatever the source, and need no copy's memory.
        const statement = recordsSql(tableAt(dataset.name, snapshot), parsed, cursor?.after, {
          withSortValues: false,
          carrier: format,
        });
        ctx.set('Content-Disposition', `attachment; filename="${dataset.name}-${snapshot}.${format}"`);
        // DuckDB writes the whole export at its own speed; the session is free again before the client reads it.
        ctx.body = await write!(connection, statement, format).catch(explainLakeError);
      });
    await (format === 'json' ? read() : services.exports.withSlot(read));
  },
});

/** A statement's rows from its source: a copy never changes under a statement, so its statements are kept. */
function sourceRows(connection: DuckDBConnection, source: Source, statement: Statement): Promise<Row[]> {
  return (source.copy ? preparedRows : rows)(connection, statement.sql, statement.params).catch(
    explainLakeError,
  );
}

/** One JSON page and the cursor of the next, read one row beyond the page to know whether there is one. */
async function page(
  connection: DuckDBConnection,
  source: Source,
  snapshot: number,
  query: RecordQuery,
  cursor: Cursor | undefined,
): Promise<{ data: Row[]; next: string | null; snapshot: number }> {
  const statement = recordsSql(source.from, query, cursor?.after, {
    withSortValues: true,
    carrier: 'json',
  });
  const found = await sourceRows(connection, source, statement);
  const { data, next } = keysetPage(found, query.limit ?? DEFAULT_PAGE, (last) => ({
    snapshot,
    after: query.sort.map((_, i) => last[sortAlias(i)] as Cursor['after'][number]),
    query: query.normalized,
  }));
  for (const row of data) for (let i = 0; i < query.sort.length; i++) delete row[sortAlias(i)];
  return { data, next, snapshot };
}

/** A record's key as the document describes it: its columns' values, joined by commas for a composite key. */
function keyPattern(dataset: Dataset): JsonSchema {
  const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
  const parts = dataset.key.map((k) => {
    const type = types.get(k) ?? '';
    // A text part of a composite key holds no comma; a single text key holds anything but NUL.
    if (kindOf({ type }) === 'text') return dataset.key.length > 1 ? '[^,\\u0000]+' : '[^\\u0000]+';
    return documentedValue({ type }) ?? '[^,\\u0000]+';
  });
  return { type: 'string', minLength: 1, maxLength: 2048, pattern: `^${parts.join(',')}$` };
}

/**
 * Where a page leads: each of its records by key. Its `next` continues only the query that returned it, which a
 * link cannot carry (a link cannot say that a filter the first request left out stays out), so there is no link to
 * the next page; `next` says how to use it.
 */
function recordLinks(dataset: Dataset): Record<string, Link> {
  if (dataset.key.length !== 1) return {};
  return {
    firstRecord: {
      operationId: 'getRecord',
      description: 'the page’s first record, by its key',
      parameters: { key: `$response.body#/data/0/${dataset.key[0]}` },
    },
  };
}

/** The key values of a record, from the path: one value, or the key columns' values joined by commas. */
function keyFilters(dataset: Dataset, columns: ReadonlyMap<string, ColumnInfo>, text: string): Filter[] {
  const parts = dataset.key.length === 1 ? [text] : text.split(',');
  if (parts.length !== dataset.key.length) {
    throw badRequest(
      `the key of ${dataset.name} has ${dataset.key.length} parts (${dataset.key.join(', ')}), joined by commas; got ${parts.length}`,
      [{ parameter: 'key', message: `expected ${dataset.key.join(',')}` }],
    );
  }
  const problems = dataset.key.flatMap((k, i) => {
    const why = invalidValue(columns.get(k)!, parts[i]!);
    return why ? [{ parameter: 'key', message: why }] : [];
  });
  if (problems.length) throw badRequest(problems.map((p) => p.message).join('; '), problems);
  return dataset.key.map((k, i) => ({ column: columns.get(k)!, op: 'eq' as const, value: parts[i]! }));
}

export const record = route({
  path: '/v1/datasets/:name/records/:key',
  operationId: 'getRecord',
  summary: 'One record by its key (composite keys: the key columns’ values joined by commas, in key order)',
  access: 'read',
  perDataset: true,
  params: z.object({ name: DatasetName, key: z.string().min(1).max(2048) }),
  query: z.object({ asOf: AsOf }),
  documentedFor: (dataset) => ({ key: keyPattern(dataset) }),
  responses: (dataset) => ({
    '200': {
      description: 'the record',
      headers: { ETag: HEADERS.ETag, 'ODP-Snapshot': HEADERS.Snapshot },
      content: { [MEDIA_TYPES.json]: dataset ? rowSchema(dataset) : { type: 'object' } },
    },
    '304': NOT_MODIFIED,
    ...problemResponses(404, 503),
  }),
  handle: async function handleGetRecord(ctx: Context, { params, query }, services) {
    const dataset = services.runtime.dataset(params.name);
    await services.sessions.use(async (connection) => {
      const { snapshot, pinned } = await readSnapshot(connection, services, query.asOf);
      const schema = await services.catalog.schema(connection, dataset, snapshot);
      const filters = keyFilters(dataset, schema, params.key);
      if (answerFromCache(ctx, [dataset.name, snapshot, 'key', params.key], pinned)) return;
      const source = services.serving.source(dataset, schema, snapshot, !pinned);
      const statement = recordByKeySql(source.from, schema.values(), filters);
      const [found] = await sourceRows(connection, source, statement);
      if (!found)
        throw notFound(`${dataset.name} has no record with key ${params.key} at snapshot ${snapshot}`);
      ctx.set('ODP-Snapshot', String(snapshot));
      ctx.body = found;
    }, services.settings.requestTimeoutMs);
  },
});
