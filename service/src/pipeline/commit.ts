import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../datasets/definition.js';
import { quarantineSql } from '../journal/quarantine.js';
import type { Run, RunCounts, RunEntry } from '../journal/run.js';
import { committedRun, writeRun } from '../journal/runs.js';
import { LAKE } from '../lake/attach.js';
import { rows, runAll, type Statement, transaction } from '../lake/query.js';
import { ident, literal } from '../lake/quote.js';
import { sortOrderStatement } from '../lake/sortOrder.js';
import type { SourceValidators } from '../sources/fetched.js';
import { conflictMessageSql } from './dedup.js';
import { PROVENANCE_COLUMNS, storedColumns } from './enrich.js';
import { CONTENT_HASH_COLUMN, keyMatchSql } from './identity.js';

export const datasetTable = (dataset: string): string => `${LAKE}.main.${ident(dataset)}`;

/** The dataset's lake table and its columns, or undefined before its first commit. */
export async function lakeTable(
  connection: DuckDBConnection,
  dataset: string,
): Promise<Set<string> | undefined> {
  const found = await rows<{ column_name: string }>(
    connection,
    `SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' AND table_name = ?`,
    [LAKE, dataset],
  );
  return found.length === 0 ? undefined : new Set(found.map((r) => r.column_name));
}

/**
 * What the staged batch will do, read before anything is written. Before a dataset's first commit `planned` is a
 * view over the whole batch, so its inserts are counted from the smaller tables it is built from instead.
 */
export async function batchCounts(connection: DuckDBConnection, firstLoad: boolean): Promise<RunCounts> {
  const changes = firstLoad
    ? `(SELECT count(*) FROM checked WHERE _odp_issues IS NULL)
         - (SELECT count(*) FROM ranked WHERE _odp_class <> 'candidate') AS inserted, 0 AS updated`
    : `(SELECT count(*) FROM planned WHERE _odp_action = 'insert') AS inserted,
       (SELECT count(*) FROM planned WHERE _odp_action = 'update') AS updated`;
  const [c] = await rows<Record<keyof RunCounts, string>>(
    connection,
    `WITH c AS (
       SELECT (SELECT count(*) FROM incoming) AS received,
              (SELECT count(*) FROM checked WHERE _odp_issues IS NOT NULL) AS invalid,
              (SELECT count(*) FROM ranked WHERE _odp_class = 'conflict') AS conflicts,
              ${changes})
     -- Every valid record is a duplicate, a conflict, or the one candidate of its key: inserted, updated or unchanged.
     SELECT received, inserted, updated, received - invalid - conflicts - inserted - updated AS unchanged,
            invalid + conflicts AS quarantined
     FROM c`,
  );
  const n = (v: string | undefined) => Number(v ?? 0);
  return {
    received: n(c?.received),
    inserted: n(c?.inserted),
    updated: n(c?.updated),
    unchanged: n(c?.unchanged),
    quarantined: n(c?.quarantined),
  };
}

async function evolveTable(
  connection: DuckDBConnection,
  dataset: Dataset,
  existing: Set<string> | undefined,
): Promise<void> {
  const described = await rows<{ column_name: string; column_type: string }>(connection, 'DESCRIBE enriched');
  const types = new Map(described.map((d) => [d.column_name, d.column_type]));
  types.set('_odp_run_id', 'VARCHAR');
  types.set('_odp_ingested_at', 'TIMESTAMPTZ');
  const required = new Set([
    ...dataset.columns.filter((c) => c.required).map((c) => c.name),
    ...PROVENANCE_COLUMNS,
    CONTENT_HASH_COLUMN,
  ]);
  const table = datasetTable(dataset.name);
  if (!existing) {
    const columns = storedColumns(dataset).map(
      (c) => `${ident(c)} ${types.get(c)}${required.has(c) ? ' NOT NULL' : ''}`,
    );
    await connection.run(`CREATE TABLE ${table} (${columns.join(', ')})`);
  } else {
    // Schema evolution: new columns are added; rows written before read NULL for them.
    for (const column of storedColumns(dataset).filter((c) => !existing.has(c))) {
      await connection.run(`ALTER TABLE ${table} ADD COLUMN ${ident(column)} ${types.get(column)}`);
    }
  }
  // Before the batch is written, so its files are written in the declared order.
  const sort = await sortOrderStatement(connection, dataset.name, dataset.sortedBy);
  if (sort) await connection.run(sort);
}

function writeSql(dataset: Dataset, run: RunEntry, firstLoad: boolean): string[] {
  const table = datasetTable(dataset.name);
  const data = storedColumns(dataset).filter((c) => !(PROVENANCE_COLUMNS as readonly string[]).includes(c));
  const provenance = `${literal(run.run_id)} AS _odp_run_id, ${literal(run.started_at)}::TIMESTAMPTZ AS _odp_ingested_at`;
  const insert = `INSERT INTO ${table} (${[...data, ...PROVENANCE_COLUMNS].map(ident).join(', ')})
    SELECT ${data.map(ident).join(', ')}, ${provenance} FROM planned WHERE _odp_action = 'insert'`;
  // Before the first commit `planned` is a view over the whole batch, holding inserts only: one pass writes it.
  if (firstLoad) return [insert];
  // One UPDATE action (DuckLake's MERGE takes no more): a rehash keeps the stored values and takes only the hash.
  const hash = ident(CONTENT_HASH_COLUMN);
  const set = [...data, ...PROVENANCE_COLUMNS].map((c) =>
    c === CONTENT_HASH_COLUMN
      ? `${hash} = s.${hash}`
      : `${ident(c)} = CASE WHEN s._odp_action = 'update' THEN s.${ident(c)} ELSE t.${ident(c)} END`,
  );
  return [
    insert,
    `MERGE INTO ${table} AS t
     USING (SELECT ${data.map(ident).join(', ')}, ${provenance}, _odp_action
            FROM planned WHERE _odp_action IN ('update', 'rehash')) AS s
     ON ${keyMatchSql(dataset, 't', 's')}
     WHEN MATCHED THEN UPDATE SET ${set.join(', ')}`,
  ];
}

/** The batch's rejected records: invalid ones with their issues, and in-batch conflicts. */
function rejectedSql(dataset: Dataset): string {
  return `
    SELECT _odp_seq AS record_no, _odp_raw AS raw,
           concat_ws(': ', _odp_origin, array_to_string(list_transform(_odp_issues, i -> i.message), '; ')) AS reason,
           list_transform(_odp_issues, i -> i.code) AS codes
    FROM checked WHERE _odp_issues IS NOT NULL
    UNION ALL
    SELECT _odp_seq, coalesce(_odp_raw, to_json(struct_pack(${dataset.columns.map((c) => `${ident(c.name)} := ${ident(c.name)}`).join(', ')}))::VARCHAR),
           ${conflictMessageSql(dataset)}, ['conflict']
    FROM ranked WHERE _odp_class = 'conflict'`;
}

/**
 * Commit: the batch's inserts and updates, its quarantined records and the run's own record land in one DuckLake
 * transaction — one snapshot — or not at all. `extra` statements (e.g. marking re-driven records) join it.
 * Returns the run as recorded.
 */
export async function commitBatch(
  connection: DuckDBConnection,
  dataset: Dataset,
  run: RunEntry,
  validators: SourceValidators,
  existing: Set<string> | undefined,
  extra: readonly Statement[] = [],
): Promise<Run> {
  const rejected = rejectedSql(dataset);
  await transaction(connection, async () => {
    await evolveTable(connection, dataset, existing);
    for (const statement of writeSql(dataset, run, !existing)) await connection.run(statement);
    await runAll(connection, [quarantineSql(dataset.name, run, rejected), ...extra]);
    await writeRun(connection, run, validators);
  });
  return committedRun(connection, run, rejected);
}

/** Records a run that wrote no data (failed or not modified) in a transaction of its own; returns it as recorded. */
export async function recordRun(
  connection: DuckDBConnection,
  run: RunEntry,
  validators: SourceValidators,
): Promise<Run> {
  await transaction(connection, () => writeRun(connection, run, validators));
  return committedRun(connection, run);
}
