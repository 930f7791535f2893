import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import type { ColumnInfo, TableSchema } from '../http/catalogCache.js';
import { digest } from '../http/conditional.js';
import { CursorParameter } from '../http/cursor.js';
import { asDocumented, type JsonSchema, wholeNumber } from '../http/parameters.js';
import { badRequest } from '../http/problem.js';
import { documentedValue, invalidValue, kindOf } from './values.js';

export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'in', 'is'] as const;
export type Operator = (typeof OPERATORS)[number];
export const IS_VALUES = ['null', 'not_null', 'true', 'false'] as const;

export const FORMATS = ['json', 'ndjson', 'csv', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

/** The largest page of a JSON response; streamed formats (NDJSON, CSV, Parquet) export without a cap. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;
const MAX_IN_VALUES = 100;
const MAX_ORDER_TERMS = 8;

export type Filter =
  | { column: ColumnInfo; op: Exclude<Operator, 'in' | 'is'>; value: string }
  | { column: ColumnInfo; op: 'in'; values: string[] }
  | { column: ColumnInfo; op: 'is'; value: (typeof IS_VALUES)[number] };

export interface SortTerm {
  column: ColumnInfo;
  direction: 'asc' | 'desc';
}

export interface RecordQuery {
  filters: Filter[];
  /** The columns returned, in order. */
  select: ColumnInfo[];
  /** The requested order followed by the dataset's key, so every row has one place in it (keyset paging). */
  sort: SortTerm[];
  /** Whether the request asked for an order (an export without one streams in storage order, unsorted). */
  ordered: boolean;
  /** Rows per response; undefined means all (streamed formats only). */
  limit: number | undefined;
  format: Format;
  /** A digest of everything above but the limit and format, for cursors and ETags. */
  normalized: string;
}

/** A snapshot id or an ISO-8601 time, documented as either. */
export const AsOf = z
  .string()
  .min(1, 'must be a snapshot id or an ISO-8601 time')
  .optional()
  .describe('a snapshot id or an ISO-8601 time: read the dataset as it was then');
asDocumented.add(AsOf.unwrap(), {
  anyOf: [
    { type: 'string', pattern: '^\\d{1,15}$' },
    { type: 'string', pattern: `^${documentedValue({ type: 'TIMESTAMP' })}$` },
  ],
});

/** The query parameters every records request understands; any other parameter is a column filter. */
export const RecordParams = z.object({
  select: z.string().min(1).optional().describe('comma-separated columns to return (default: all)'),
  order: z
    .string()
    .min(1)
    .optional()
    .describe('comma-separated `column.asc` or `column.desc` terms; the dataset key breaks ties'),
  limit: wholeNumber(1, 999_999_999)
    .optional()
    .describe(
      `rows: a JSON page holds ${DEFAULT_PAGE} by default and at most ${MAX_PAGE} (a larger limit gives pages of ${MAX_PAGE}); NDJSON, CSV and Parquet export every row unless limited`,
    ),
  cursor: CursorParameter,
  asOf: AsOf,
  format: z.enum(FORMATS).optional().describe('response format; overrides the Accept header'),
});

/** How `select` and `order` name this dataset's columns, for the OpenAPI document. */
export function columnListPatterns(columns: string[]): { select: JsonSchema; order: JsonSchema } {
  const column = `(${columns.map((c) => c.replace(/[^a-z0-9_]/gi, '')).join('|')})`;
  const term = `${column}(\\.(asc|desc))?`;
  return {
    select: { type: 'string', pattern: `^${column}(,${column})*$` },
    order: { type: 'string', pattern: `^${term}(,${term}){0,${MAX_ORDER_TERMS - 1}}$` },
  };
}

const RESERVED = new Set(Object.keys(RecordParams.shape));

type Raw = Record<string, string | string[] | undefined>;

function splitList(text: string): string[] {
  // Values may be double-quoted to hold commas: in.("a,b",c)
  const values: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let match: RegExpExecArray | null = pattern.exec(text);
  while (match !== null && match[0] !== '') {
    values.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '').trim());
    if (pattern.lastIndex >= text.length) break;
    match = pattern.exec(text);
  }
  return values;
}

function parseFilter(column: ColumnInfo, spec: string, problems: Problems): Filter | undefined {
  const dot = spec.indexOf('.');
  const op = (dot < 0 ? spec : spec.slice(0, dot)) as Operator;
  const value = dot < 0 ? '' : spec.slice(dot + 1);
  const where = column.name;
  if (!OPERATORS.includes(op)) {
    problems.add(
      where,
      `"${spec}" does not start with an operator: use <op>.<value> with op one of ${OPERATORS.join(', ')}`,
    );
    return undefined;
  }
  if (dot < 0) {
    problems.add(where, `${op} needs a value: ${column.name}=${op}.<value>`);
    return undefined;
  }
  if (op === 'is') {
    const v = value as (typeof IS_VALUES)[number];
    if (!IS_VALUES.includes(v))
      problems.add(where, `is.${value}: use is.null, is.not_null, is.true or is.false`);
    else if ((v === 'true' || v === 'false') && kindOf(column) !== 'boolean')
      problems.add(where, `is.${v} applies to boolean columns; ${column.name} is ${column.type}`);
    else return { column, op, value: v };
    return undefined;
  }
  if ((op === 'like' || op === 'ilike') && kindOf(column) !== 'text') {
    problems.add(where, `${op} applies to text columns; ${column.name} is ${column.type}`);
    return undefined;
  }
  if (op === 'in') {
    const inner = /^\((.*)\)$/s.exec(value)?.[1] ?? value;
    const values = splitList(inner);
    if (values.length === 0 || values.length > MAX_IN_VALUES) {
      problems.add(where, `in needs 1 to ${MAX_IN_VALUES} values: ${column.name}=in.(a,b,c)`);
      return undefined;
    }
    const bad = values.map((v) => invalidValue(column, v)).find(Boolean);
    if (bad) problems.add(where, bad);
    return bad ? undefined : { column, op, values };
  }
  const bad = invalidValue(column, value);
  if (bad) {
    problems.add(where, bad);
    return undefined;
  }
  // `*` is accepted as the wildcard, since `%` must be escaped in a URL.
  return { column, op, value: op === 'like' || op === 'ilike' ? value.replaceAll('*', '%') : value };
}

/**
 * The filters on a column the OpenAPI document allows, as one anchored pattern: `parseFilter`'s rules written as
 * a regular expression over `documentedValue`, so a filter a client builds from the document is served.
 */
export function filterPattern(column: Pick<ColumnInfo, 'type'>): string {
  const value = documentedValue(column);
  const kind = kindOf(column);
  const is = kind === 'boolean' ? 'null|not_null|true|false' : 'null|not_null';
  const forms = [`is\\.(${is})`];
  if (value !== undefined) {
    // In a list, a text value holds no comma or double quote (those need quoting) and is not empty.
    const listed = kind === 'text' ? '[^,"\\u0000]+' : value;
    forms.push(
      `(eq|neq|gt|gte|lt|lte)\\.${value}`,
      `in\\.\\(${listed}(,${listed}){0,${MAX_IN_VALUES - 1}}\\)`,
    );
  }
  if (kind === 'text') forms.push(`(like|ilike)\\.${value}`);
  return `^(${forms.join('|')})$`;
}

class Problems {
  readonly list: { parameter: string; message: string }[] = [];
  add(parameter: string, message: string): void {
    this.list.push({ parameter, message });
  }
  throwIfAny(dataset: string): void {
    if (this.list.length === 0) return;
    throw badRequest(
      `the query on ${dataset} has ${this.list.length} problem(s): ${this.list.map((p) => `${p.parameter}: ${p.message}`).join('; ')}`,
      this.list,
    );
  }
}

function columnsNamed(
  names: string[],
  schema: TableSchema,
  parameter: string,
  problems: Problems,
): ColumnInfo[] {
  const unknown = names.filter((n) => !schema.has(n));
  if (unknown.length) {
    problems.add(
      parameter,
      `unknown column(s) ${unknown.join(', ')}; columns are ${[...schema.keys()].join(', ')}`,
    );
  }
  return names.filter((n) => schema.has(n)).map((n) => schema.get(n)!);
}

const one = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[value.length - 1] : value;

/** Reads a records request against the dataset's real columns; every problem found is reported at once. */
export function parseRecordQuery(
  dataset: Dataset,
  schema: TableSchema,
  raw: Raw,
  format: Format,
): RecordQuery {
  const problems = new Problems();
  const generic = RecordParams.safeParse(
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, one(v)])),
  );
  if (!generic.success) {
    for (const issue of generic.error.issues) problems.add(issue.path.join('.'), issue.message);
  }
  const filters: Filter[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (RESERVED.has(name) || value === undefined) continue;
    const column = schema.get(name);
    if (!column) {
      problems.add(
        name,
        `unknown column or parameter "${name}"; columns are ${[...schema.keys()].join(', ')}; parameters are ${[...RESERVED].join(', ')}`,
      );
      continue;
    }
    for (const spec of Array.isArray(value) ? value : [value]) {
      const filter = parseFilter(column, spec, problems);
      if (filter) filters.push(filter);
    }
  }

  const selectText = one(raw.select);
  const select = selectText
    ? columnsNamed(
        selectText.split(',').map((s) => s.trim()),
        schema,
        'select',
        problems,
      )
    : [...schema.values()];

  const sort: SortTerm[] = [];
  const orderText = one(raw.order);
  const terms = orderText ? orderText.split(',').map((t) => t.trim()) : [];
  if (terms.length > MAX_ORDER_TERMS) problems.add('order', `at most ${MAX_ORDER_TERMS} terms`);
  for (const term of terms.slice(0, MAX_ORDER_TERMS)) {
    const match = /^([^.]+)(?:\.(asc|desc))?$/.exec(term);
    if (!match) {
      problems.add('order', `"${term}" is not column, column.asc or column.desc`);
      continue;
    }
    const [column] = columnsNamed([match[1]!], schema, 'order', problems);
    if (column && !sort.some((s) => s.column.name === column.name))
      sort.push({ column, direction: (match[2] ?? 'asc') as 'asc' | 'desc' });
  }
  for (const key of dataset.key) {
    const column = schema.get(key);
    if (column && !sort.some((s) => s.column.name === key)) sort.push({ column, direction: 'asc' });
  }

  const asked = generic.success ? generic.data.limit : undefined;
  const limit = format === 'json' ? Math.min(asked ?? DEFAULT_PAGE, MAX_PAGE) : asked;

  problems.throwIfAny(dataset.name);
  const normalized = digest(
    JSON.stringify({
      f: filters
        .map((f) => `${f.column.name}=${f.op}.${'values' in f ? JSON.stringify(f.values) : f.value}`)
        .sort(),
      s: select.map((c) => c.name),
      o: sort.map((s) => `${s.column.name}.${s.direction}`),
    }),
  );
  return { filters, select, sort, ordered: terms.length > 0, limit, format, normalized };
}
