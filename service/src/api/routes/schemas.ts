import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import { type JsonSchema, wholeNumber } from '../http/parameters.js';
import type { Header, Response } from './route.js';

export const DatasetName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'a dataset name is lower-case letters, digits and _')
  .describe('dataset name');

export const Limit = wholeNumber(1, 1000)
  .optional()
  .describe('at most this many items (1–1000, default 100)');

/** How a value of a declared column type looks in JSON (64-bit and wider integers and decimals are strings). */
export function columnSchema(type: string | undefined): JsonSchema {
  const t = (type ?? '').toUpperCase();
  if (t === 'VARCHAR' || t === 'UUID') return { type: 'string' };
  if (t === 'BOOLEAN') return { type: 'boolean' };
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT|UINTEGER)$/.test(t)) return { type: 'integer' };
  if (/^(BIGINT|HUGEINT|UBIGINT)$/.test(t)) return { type: 'string', pattern: '^-?\\d+$' };
  if (t === 'FLOAT' || t === 'DOUBLE') return { type: 'number' };
  if (t.startsWith('DECIMAL')) return { type: 'string' };
  if (t === 'DATE') return { type: 'string', format: 'date' };
  if (t.startsWith('TIMESTAMP'))
    return {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 in UTC, e.g. 2018-02-06T21:54:00.730Z',
    };
  if (t === 'TIME') return { type: 'string' };
  return {};
}

const nullable = (schema: JsonSchema, required: boolean): JsonSchema =>
  required || !('type' in schema) ? schema : { ...schema, type: [schema.type, 'null'] };

/** The columns a record of the dataset has, in order: declared, derived, provenance. */
export function recordColumns(dataset: Dataset): { name: string; type?: string | undefined }[] {
  return [
    ...dataset.columns,
    ...dataset.enrich,
    { name: '_odp_run_id', type: 'VARCHAR' },
    { name: '_odp_ingested_at', type: 'VARCHAR' },
  ];
}

/** A record of the dataset as the API returns it: declared columns, derived columns, provenance. */
export function rowSchema(dataset: Dataset): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const c of dataset.columns) {
    properties[c.name] = {
      ...nullable(columnSchema(c.type), c.required),
      ...(c.description ? { description: c.description } : {}),
    };
  }
  for (const e of dataset.enrich) {
    properties[e.name] = {
      ...nullable(columnSchema(e.type), false),
      ...(e.description ? { description: e.description } : {}),
    };
  }
  properties._odp_run_id = { type: 'string', description: 'the ingest run that wrote this version' };
  properties._odp_ingested_at = { type: 'string', description: 'when that run started' };
  return { type: 'object', properties };
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'the request’s parameters are wrong; `errors` names each',
  401: 'no API key, or one that is unknown or revoked',
  403: 'the key’s scope does not allow this',
  404: 'no such dataset, record, run or snapshot',
  409: 'the dataset is being ingested by another run; `holder` names it',
  413: 'the request has a body larger than the server takes',
  414: 'the query string is longer than the server takes',
  429: 'rate limit exceeded; retry after Retry-After seconds',
  503: 'the lake is unavailable, the service is busy, or the query took too long',
};

const header = (description: string, schema: JsonSchema = { type: 'string' }): Header => ({
  description,
  schema,
});

/** Headers a response may carry, by name, described once. */
export const HEADERS = {
  ETag: header('the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed'),
  Location: header('where the run’s outcome will be: GET it (`getRun`)'),
  RetryAfter: header('seconds to wait before retrying', { type: 'integer', minimum: 0 }),
  WwwAuthenticate: header('`Bearer realm="odp"`'),
  Snapshot: header('the lake snapshot the answer was read from', { type: 'integer', minimum: 0 }),
} satisfies Record<string, Header>;

/** A 304: the client's copy, named by the ETag it sent in If-None-Match, is still current. */
export const NOT_MODIFIED: Response = {
  description: 'not modified since the ETag presented in If-None-Match',
  headers: { ETag: HEADERS.ETag },
};

const PROBLEM_HEADERS: Record<number, Record<string, Header>> = {
  401: { 'WWW-Authenticate': { ...HEADERS.WwwAuthenticate, required: true } },
  429: { 'Retry-After': { ...HEADERS.RetryAfter, required: true } },
  503: { 'Retry-After': HEADERS.RetryAfter },
};

export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { parameter: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** RFC 9457 problem responses, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<string, Response> {
  return Object.fromEntries(
    statuses.map((s) => [
      String(s),
      {
        description: PROBLEM_TITLES[s] ?? 'error',
        ...(PROBLEM_HEADERS[s] ? { headers: PROBLEM_HEADERS[s] } : {}),
        content: { 'application/problem+json': PROBLEM_SCHEMA },
      },
    ]),
  );
}

/** A JSON response whose body is described by a zod schema. */
export function jsonResponse(description: string, schema: z.ZodType): Response {
  return {
    description,
    content: { 'application/json': z.toJSONSchema(schema, { io: 'output' }) as JsonSchema },
  };
}
