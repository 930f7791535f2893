import type { Column, Dataset } from '../datasets/definition.js';
import { ident, literal } from '../lake/quote.js';
import { ORIGIN, originSql, type StagedText, sourceColumn } from '../sources/formats/format.js';
import { contentHashSql, keyHashSql } from './identity.js';

/**
 * Validate: `screened` becomes `checked`, with every declared column cast to its type and `_odp_issues`, the list
 * of reasons (code + message a person can act on) a record cannot be stored. An empty list means valid.
 * Each record also gets its content hash (stored with it) and its key hash (for dedup), computed in the same pass.
 * All of it is one set-based statement; rules only run on records whose values are well-typed.
 */

/** Text fields longer than this are oversize unless the column says otherwise. */
export const DEFAULT_MAX_LENGTH = 65_536;

/**
 * Declared column i's staged value cast to its type; NULL when it is not a valid value of that type. Text is read
 * by the column's declared separators or pattern; a value a typed reader already parsed (see `stagedAsText`) is
 * only cast, as a pattern or separators say how to read text, not numbers or dates.
 */
export function typedSourceSql(dataset: Dataset, index: number, text: StagedText): string {
  const column = dataset.columns[index]!;
  const src = sourceColumn(index);
  const type = column.type;
  if (column.separators && text.has(index)) return separatedNumberSql(column.separators, src, type);
  switch (column.format) {
    case 'epoch_ms':
      return `TRY_CAST(epoch_ms(TRY_CAST(${src} AS BIGINT)) AS ${type})`;
    case 'epoch_s':
      return `TRY_CAST(to_timestamp(TRY_CAST(${src} AS DOUBLE)) AS ${type})`;
    case undefined:
      return `TRY_CAST(${src} AS ${type})`;
    default:
      return text.has(index)
        ? `TRY_CAST(try_strptime(${src}::VARCHAR, ${literal(column.format)}) AS ${type})`
        : `TRY_CAST(${src} AS ${type})`;
  }
}

const escaped = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A number written with the declared separators (`1.234,5` with decimal `,` and thousands `.`), cast to `type`.
 * Anything else is not a number: a value is never re-read with other separators than those declared. With a
 * decimal mark alone, a number is read as any other (`,5`, `1,5e3`, `NaN`), the declared mark in place of `.`, as
 * DuckDB's CSV reader reads it with that mark (see `csvTypes.ts`): a `.` in it is no number.
 */
function separatedNumberSql(
  separators: NonNullable<Column['separators']>,
  src: string,
  type: string,
): string {
  const { decimal, thousands } = separators;
  if (thousands === undefined)
    return `CASE WHEN NOT contains(${src}, '.') THEN TRY_CAST(replace(${src}, ${literal(decimal)}, '.') AS ${type}) END`;
  const integer = `(\\d{1,3}(${escaped(thousands)}\\d{3})+|\\d+)`;
  const pattern = `^[+-]?${integer}(${escaped(decimal)}\\d+)?$`;
  const plain = `replace(trim(${src}), ${literal(thousands)}, '')`;
  return `CASE WHEN regexp_full_match(trim(${src}), ${literal(pattern)})
    THEN TRY_CAST(replace(${plain}, ${literal(decimal)}, '.') AS ${type}) END`;
}

const issue = (code: string, message: string): string => `{'code': ${literal(code)}, 'message': ${message}}`;

function columnIssues(column: Column, index: number): string[] {
  const src = sourceColumn(index);
  const name = column.name;
  const expected = column.separators
    ? `${column.type} with decimal "${column.separators.decimal}"${column.separators.thousands === undefined ? '' : ` and thousands "${column.separators.thousands}"`}`
    : column.format
      ? `${column.type} in format ${column.format}`
      : column.type;
  const checks: string[] = [];
  if (column.required) {
    checks.push(
      `CASE WHEN ${src} IS NULL THEN ${issue(`missing:${name}`, literal(`${name}: required but missing`))} END`,
    );
  }
  checks.push(
    `CASE WHEN ${src} IS NOT NULL AND ${ident(name)} IS NULL THEN ${issue(
      `type:${name}`,
      `format(${literal(`${name}: {} is not a valid ${expected}`)}, left(${src}::VARCHAR, 80))`,
    )} END`,
  );
  if (column.type === 'VARCHAR' || column.type === 'JSON') {
    const max = column.maxLength ?? DEFAULT_MAX_LENGTH;
    checks.push(
      `CASE WHEN length(${src}::VARCHAR) > ${max} THEN ${issue(
        `oversize:${name}`,
        `format('${name}: {} characters, over the limit of ${max}', length(${src}::VARCHAR))`,
      )} END`,
    );
  }
  return checks;
}

const nonNull = (items: readonly string[]): string =>
  items.length === 0
    ? `[]::STRUCT(code VARCHAR, message VARCHAR)[]`
    : `list_filter([${items.join(', ')}], x -> x IS NOT NULL)`;

/** The record as it would be shown in quarantine, for formats that carry no text per record. */
export function rawRecordSql(dataset: Dataset, valueFor: (column: Column, index: number) => string): string {
  return `to_json(struct_pack(${dataset.columns.map((c, i) => `${ident(c.name)} := ${valueFor(c, i)}`).join(', ')}))::VARCHAR`;
}

/** True when a record passes every column check; most records do, so the reasons are only built for the rest. */
function passesColumns(column: Column, index: number): string[] {
  const src = sourceColumn(index);
  const passes = [`(${src} IS NULL OR ${ident(column.name)} IS NOT NULL)`];
  if (column.required) passes.push(`${src} IS NOT NULL`);
  if (column.type === 'VARCHAR' || column.type === 'JSON') {
    passes.push(`(${src} IS NULL OR length(${src}::VARCHAR) <= ${column.maxLength ?? DEFAULT_MAX_LENGTH})`);
  }
  return passes;
}

export function checkedSql(dataset: Dataset, text: StagedText): string {
  const typedColumns = dataset.columns.map(
    (c, i) => `${typedSourceSql(dataset, i, text)} AS ${ident(c.name)}`,
  );
  const wellShaped = ['_odp_error IS NULL', ...dataset.columns.flatMap(passesColumns)].join(' AND ');
  const rulesHold = dataset.rules.map((r) => `(${r.check}) IS TRUE`).join(' AND ') || 'true';
  const columnChecks = nonNull(dataset.columns.flatMap(columnIssues));
  const ruleIssues = dataset.rules.map(
    (r) =>
      `CASE WHEN (${r.check}) IS NOT TRUE THEN ${issue(`rule:${r.name}`, literal(`${r.name}: ${r.message}`))} END`,
  );
  const raw = rawRecordSql(dataset, (_, i) => sourceColumn(i));
  // `_odp_issues` is NULL for a valid record and lists every reason otherwise; rules only judge well-shaped records.
  // Only a rejected record's reason names its origin.
  return `
    CREATE OR REPLACE TEMP TABLE checked AS
    WITH typed AS (
      SELECT *, ${typedColumns.join(', ')} FROM screened
    ),
    judged AS (
      SELECT *, CASE
          WHEN ${wellShaped} THEN CASE WHEN ${rulesHold} THEN NULL ELSE ${nonNull(ruleIssues)} END
          WHEN _odp_error IS NOT NULL THEN [${issue('malformed', '_odp_error')}]
          ELSE ${columnChecks} END AS _odp_issues
      FROM typed
    )
    SELECT _odp_seq, _odp_issues, CASE WHEN _odp_issues IS NOT NULL THEN ${originSql(dataset)} END AS ${ORIGIN},
           coalesce(_odp_raw, CASE WHEN _odp_issues IS NOT NULL THEN ${raw} END) AS _odp_raw,
           ${contentHashSql(dataset)} AS _odp_hash, ${keyHashSql(dataset)} AS _odp_key_hash,
           ${dataset.columns.map((c) => ident(c.name)).join(', ')}
    FROM judged`;
}
