import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import type { JsonSchema, Response } from './route.js';

export const DatasetName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'a dataset name is lower-case letters, digits and _')
  .describe('dataset name');

export const Limit = z
  .string()
  .regex(/^\d{1,4}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000'))
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
  429: 'rate limit exceeded; retry after Retry-After seconds',
  503: 'the lake is unavailable or the query took too long',
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
      { description: PROBLEM_TITLES[s] ?? 'error', content: { 'application/problem+json': PROBLEM_SCHEMA } },
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
