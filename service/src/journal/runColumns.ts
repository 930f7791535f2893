import { z } from 'zod';
import { rfc3339Sql } from '../lake/time.js';
import { type RUN_DERIVED, Run, type RunEntry } from './run.js';

/** How a field of `Run` is kept in the runs table; the kind follows from its schema. */
type Kind = 'text' | 'time' | 'count' | 'texts';

interface RunColumn {
  name: keyof RunEntry;
  kind: Kind;
  nullable: boolean;
}

const SQL_TYPE: Record<Kind, string> = {
  text: 'VARCHAR',
  time: 'TIMESTAMPTZ',
  count: 'BIGINT',
  texts: 'VARCHAR[]',
};

/**
 * How each stored field of `Run` is kept, in its order. A new field of `Run` is a compile error here until it is
 * given a kind, so a time is never stored as text by accident.
 */
const KIND = {
  run_id: 'text',
  dataset: 'text',
  trigger: 'text',
  source: 'text',
  status: 'text',
  error: 'text',
  started_at: 'time',
  ended_at: 'time',
  received: 'count',
  inserted: 'count',
  updated: 'count',
  unchanged: 'count',
  quarantined: 'count',
  increments: 'texts',
  notes: 'texts',
} as const satisfies Record<keyof RunEntry, Kind>;

/** The stored fields of `Run`, in its order: everything but what the journal derives when it reads a run. */
export const RUN_COLUMNS: readonly RunColumn[] = (Object.keys(KIND) as (keyof RunEntry)[]).map((name) => ({
  name,
  kind: KIND[name],
  nullable: Run.shape[name] instanceof z.ZodNullable,
}));

/** Columns the journal keeps for itself: the source's validators, for the next conditional fetch. */
const JOURNAL_COLUMNS = ['source_etag', 'source_last_modified', 'source_digest'] as const;

/** The journal's own columns with their definitions: all text, all nullable. */
export const JOURNAL_COLUMN_DEFINITIONS = JOURNAL_COLUMNS.map((name) => ({
  name,
  definition: `${name} VARCHAR`,
}));

/**
 * A column's definition. Lists may be NULL (a lake made before the list existed reads NULL; reading gives []);
 * a column added to a table that already has rows is added without NOT NULL.
 */
export const columnDefinition = (c: RunColumn, added: boolean): string =>
  `${c.name} ${SQL_TYPE[c.kind]}${c.nullable || c.kind === 'texts' || added ? '' : ' NOT NULL'}`;

/** The runs table's columns as CREATE TABLE lists them. */
export const runsTableColumns = (): string =>
  [
    ...RUN_COLUMNS.map((c) => columnDefinition(c, false)),
    ...JOURNAL_COLUMN_DEFINITIONS.map((c) => c.definition),
  ].join(', ');

const PLACEHOLDER: Record<Kind, string> = {
  text: '?',
  time: '?::TIMESTAMPTZ',
  count: '?::BIGINT',
  texts: '?::JSON::VARCHAR[]',
};

/** The INSERT of one run with its validators: its statement and the values to bind, in column order. */
export function runInsert(
  table: string,
  run: RunEntry,
  validators: { etag: string | null; lastModified: string | null; digest: string | null },
): { sql: string; params: (string | number | null)[] } {
  const names = [...RUN_COLUMNS.map((c) => c.name), ...JOURNAL_COLUMNS];
  const placeholders = [...RUN_COLUMNS.map((c) => PLACEHOLDER[c.kind]), ...JOURNAL_COLUMNS.map(() => '?')];
  const values = RUN_COLUMNS.map((c) => {
    const value = run[c.name];
    return Array.isArray(value) ? JSON.stringify(value) : value;
  });
  return {
    sql: `INSERT INTO ${table} (${names.join(', ')}) VALUES (${placeholders.join(', ')})`,
    params: [...values, validators.etag, validators.lastModified, validators.digest],
  };
}

const readSql: Record<Kind, (column: string) => string> = {
  text: (column) => column,
  time: (column) => rfc3339Sql(column, true),
  count: (column) => `${column}::DOUBLE`,
  texts: (column) => `coalesce(${column}, [])`,
};

/**
 * A run's columns as `Run` has them, in its order, from the runs table under `alias`: counts as numbers, times in
 * RFC 3339, lists never NULL; `derived` gives the SQL of the fields the journal works out.
 */
export function runSelect(alias: string, derived: Record<(typeof RUN_DERIVED)[number], string>): string {
  return Object.keys(Run.shape)
    .map((name) => {
      const column = RUN_COLUMNS.find((c) => c.name === name);
      const sql = column
        ? readSql[column.kind](`${alias}.${name}`)
        : derived[name as (typeof RUN_DERIVED)[number]];
      return `${sql} AS ${name}`;
    })
    .join(',\n  ');
}
