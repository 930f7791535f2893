import { ident } from '../../lake/quote.js';
import { readsAsTime, rfc3339Sql, utcTimestampText } from '../../lake/time.js';
import type { ColumnInfo } from '../http/catalogCache.js';

/** The column types a filter can compare against, by how a value of that type is written in a URL. */
const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  TINYINT: [-(2n ** 7n), 2n ** 7n - 1n],
  SMALLINT: [-(2n ** 15n), 2n ** 15n - 1n],
  INTEGER: [-(2n ** 31n), 2n ** 31n - 1n],
  BIGINT: [-(2n ** 63n), 2n ** 63n - 1n],
  HUGEINT: [-(2n ** 127n), 2n ** 127n - 1n],
  UTINYINT: [0n, 2n ** 8n - 1n],
  USMALLINT: [0n, 2n ** 16n - 1n],
  UINTEGER: [0n, 2n ** 32n - 1n],
  UBIGINT: [0n, 2n ** 64n - 1n],
};

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export type ValueKind = 'text' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'time' | 'uuid';

/** How a column's values are compared, or undefined for types a filter cannot compare (JSON, lists, …). */
export function kindOf(column: Pick<ColumnInfo, 'type'>): ValueKind | undefined {
  const t = column.type.toUpperCase();
  if (t === 'VARCHAR') return 'text';
  if (t in INTEGER_RANGES) return 'integer';
  if (t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'number';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t === 'TIMESTAMP' || t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamp';
  if (t === 'TIME') return 'time';
  if (t === 'UUID') return 'uuid';
  return undefined;
}

/** Why `value` cannot be a value of the column, or undefined when it can. */
export function invalidValue(column: ColumnInfo, value: string): string | undefined {
  const kind = kindOf(column);
  const expected = (what: string) => `"${value}" is not ${what} (${column.name} is ${column.type})`;
  switch (kind) {
    case 'text':
      return undefined;
    case 'integer': {
      if (!/^[+-]?\d{1,40}$/.test(value)) return expected('an integer');
      const [min, max] = INTEGER_RANGES[column.type.toUpperCase()]!;
      const n = BigInt(value);
      return n < min || n > max ? `${value} is out of range for ${column.name} (${column.type})` : undefined;
    }
    case 'number':
      return NUMBER.test(value) && Number.isFinite(Number(value)) ? undefined : expected('a number');
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : expected('true or false');
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : expected('a date (YYYY-MM-DD)');
    case 'timestamp':
      return readsAsTime(value) ? undefined : expected('an ISO-8601 time');
    case 'time':
      return TIME.test(value) ? undefined : expected('a time (HH:MM:SS)');
    case 'uuid':
      return UUID.test(value) ? undefined : expected('a UUID');
    default:
      return `${column.name} (${column.type}) cannot be compared to a value; only is.null / is.not_null apply`;
  }
}

/** Digits a documented integer may have so that every value written with them is in its type's range. */
const SAFE_DIGITS: Record<string, number> = {
  TINYINT: 2,
  SMALLINT: 4,
  INTEGER: 9,
  BIGINT: 18,
  HUGEINT: 38,
  UTINYINT: 2,
  USMALLINT: 4,
  UINTEGER: 9,
  UBIGINT: 19,
};

const DOCUMENTED_DATE = '[1-9]\\d{3}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])';
const DOCUMENTED_TIME = '([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?';

/**
 * The values of a column's type as the OpenAPI document describes them (a regular expression, unanchored): a part
 * of what `invalidValue` accepts that is accepted whole, so a client writing any value the document allows is
 * served. Undefined for types a filter cannot compare.
 */
export function documentedValue(column: Pick<ColumnInfo, 'type'>): string | undefined {
  const t = column.type.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  switch (kindOf(column)) {
    case 'text':
      // Anything but NUL, which the API refuses in every parameter (see `requestLimits`).
      return '[^\\u0000]*';
    case 'integer':
      return `${t.startsWith('U') ? '\\+?' : '[+-]?'}\\d{1,${SAFE_DIGITS[t]}}`;
    case 'number':
      if (decimal) {
        const [whole, fraction] = [Number(decimal[1]) - Number(decimal[2]), Number(decimal[2])];
        return `[+-]?${whole > 0 ? `\\d{1,${whole}}` : '0'}${fraction > 0 ? `(\\.\\d{1,${fraction}})?` : ''}`;
      }
      // A FLOAT holds up to about 3.4e38: six digits and an exponent up to 30 stay well inside it.
      return t === 'FLOAT'
        ? '[+-]?\\d{1,6}(\\.\\d{1,6})?([eE][+-]?[12]?\\d)?'
        : '[+-]?\\d{1,15}(\\.\\d{1,15})?([eE][+-]?\\d{1,2})?';
    case 'boolean':
      return '(true|false)';
    case 'date':
      return DOCUMENTED_DATE;
    case 'timestamp':
      return `${DOCUMENTED_DATE}([T ]${DOCUMENTED_TIME}(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)?)?`;
    case 'time':
      return DOCUMENTED_TIME;
    case 'uuid':
      return UUID.source.slice(1, -1);
    default:
      return undefined;
  }
}

const withZone = (column: ColumnInfo) => /^TIMESTAMP(TZ| WITH TIME ZONE)$/i.test(column.type);

/** `CAST(? AS <type>)`: the type comes from the lake's own catalog, never from the request. */
export const castParam = (column: ColumnInfo): string => `CAST(? AS ${column.type})`;

/**
 * A checked value as it is bound: a time as UTC text (offsets applied, `Z` added for a column with a zone), which
 * the engine parses in every form a filter takes; it does not read an offset after a time without seconds.
 */
export function paramValue(column: ColumnInfo, value: string): string {
  if (kindOf(column) !== 'timestamp') return value;
  const utc = utcTimestampText(value) ?? value;
  return withZone(column) ? `${utc}Z` : utc;
}

/** How a response carries values: JSON pages, NDJSON and CSV written by DuckDB, or Parquet's own types. */
export type Carrier = 'json' | 'ndjson' | 'csv' | 'parquet';

/** Types a JSON page carries as text (JavaScript numbers cannot hold them exactly); NDJSON does the same. */
const TEXT_IN_JSON = /^(BIGINT|HUGEINT|UBIGINT|DECIMAL.*|JSON)$/i;

/**
 * A text cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) gets a
 * leading `'`, as OWASP recommends against CSV injection. Only text: a number such as -5 stays a number.
 */
const neutralisedSql = (name: string): string =>
  `CASE WHEN left(${name}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || ${name} ELSE ${name} END`;

/**
 * A column as a response carries it: times in RFC 3339 (UTC) in every text format; in NDJSON, the values a JSON
 * page carries as text also as text, and non-finite numbers as `"NaN"`/`"Infinity"`, never as invalid JSON; in
 * CSV, text that would be a formula neutralised.
 */
export function outputSql(column: ColumnInfo, carrier: Carrier, alias = column.name): string {
  const name = ident(column.name);
  let value = name;
  if (carrier !== 'parquet' && kindOf(column) === 'timestamp') value = rfc3339Sql(name, withZone(column));
  else if (carrier === 'csv' && kindOf(column) === 'text') value = neutralisedSql(name);
  else if (carrier === 'ndjson' && TEXT_IN_JSON.test(column.type)) value = `${name}::VARCHAR`;
  else if (carrier === 'ndjson' && /^(FLOAT|DOUBLE)$/i.test(column.type))
    value = `CASE WHEN ${name} IS NULL OR isfinite(${name}) THEN to_json(${name}) ELSE to_json(${name}::VARCHAR) END`;
  return `${value} AS ${ident(alias)}`;
}
