import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../datasets/definition.js';
import type { RunCounts, RunRecord } from '../journal/run.js';
import { LAKE } from '../lake/attach.js';
import { rows, transaction } from '../lake/query.js';
import { ident, literal } from '../lake/quote.js';
import type { SourceValidators } from '../sources/source.js';
import { conflictMessageSql } from './dedup.js';
import { PROVENANCE_COLUMNS, storedColumns } from './enrich.js';

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

/** Counts and top quarantine reasons of the staged batch, read before anything is written. */
export async function batchOutcome(
  connection: DuckDBConnection,
): Promise<{ counts: RunCounts; topReasons: RunRecord['topReasons'] }> {
  const [c] = await rows<Record<keyof RunCounts, string>>(
    connection,
    `WITH c AS (
       SELECT (SELECT count(*) FROM incoming) AS received,
              (SELECT count(*) FROM checked WHERE _odp_issues IS NOT NULL) AS invalid,
              (SELECT count(*) FROM ranked WHERE _odp_class = 'conflict') AS conflicts,
              (SELECT count(*) FROM planned WHERE _odp_action = 'insert') AS inserted,
              (SELECT count(*) FROM planned WHERE _odp_action = 'update') AS updated)
     -- Every valid record is a duplicate, a conflict, or the one candidate of its key: inserted, updated or unchanged.
     SELECT received, inserted, updated, received - invalid - conflicts - inserted - updated AS unchanged,
            invalid + conflicts AS quarantined
     FROM c`,
  );
  const reasons = await rows<{ code: string; count: string }>(
    connection,
    `SELECT code, count(*) AS count FROM (
       SELECT unnest(_odp_issues).code AS code FROM checked WHERE _odp_issues IS NOT NULL
       UNION ALL SELECT 'conflict' FROM ranked WHERE _odp_class = 'conflict')
     GROUP BY code ORDER BY count DESC, code LIMIT 5`,
  );
  const n = (v: string | undefined) => Number(v ?? 0);
  return {
    counts: {
      received: n(c?.received),
      inserted: n(c?.inserted),
      updated: n(c?.updated),
      unchanged: n(c?.unchanged),
      quarantined: n(c?.quarantined),
    },
    topReasons: reasons.map((r) => ({ code: r.code, count: Number(r.count) })),
  };
}

export interface RunRow {
  run: Omit<RunRecord, 'snapshotId' | 'topReasons'>;
  validators: SourceValidators;
}

async function insertRun(connection: DuckDBConnection, { run, validators }: RunRow): Promise<void> {
  await connection.run(
    `INSERT INTO ${LAKE}.odp.runs VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ,
       ?::BIGINT, ?::BIGINT, ?::BIGINT, ?::BIGINT, ?::BIGINT, ?::JSON::VARCHAR[], ?, ?)`,
    [
      run.runId,
      run.dataset,
      run.trigger,
      run.source,
      run.status,
      run.error,
      run.startedAt,
      run.endedAt,
      run.received,
      run.inserted,
      run.updated,
      run.unchanged,
      run.quarantined,
      JSON.stringify(run.increments),
      validators.etag ?? null,
      validators.lastModified ?? null,
    ],
  );
}

async function commitMessage(connection: DuckDBConnection, run: RunRow['run']): Promise<void> {
  const message = `${run.trigger} ingest of ${run.dataset}: run ${run.runId} (${run.status})`;
  await connection.run(
    `CALL ${LAKE}.set_commit_message('odp', ${literal(message)}, extra_info => ${literal(run.runId)})`,
  );
}

/** The snapshot a run committed, found by the run id it carries in its commit. */
export async function snapshotOf(connection: DuckDBConnection, runId: string): Promise<number | null> {
  const [found] = await rows<{ snapshot_id: string }>(
    connection,
    `SELECT snapshot_id FROM ${LAKE}.snapshots() WHERE commit_extra_info = ?`,
    [runId],
  );
  return found ? Number(found.snapshot_id) : null;
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
  ]);
  const table = datasetTable(dataset.name);
  if (!existing) {
    const columns = storedColumns(dataset).map(
      (c) => `${ident(c)} ${types.get(c)}${required.has(c) ? ' NOT NULL' : ''}`,
    );
    await connection.run(`CREATE TABLE ${table} (${columns.join(', ')})`);
    return;
  }
  // Schema evolution: new columns are added; rows written before read NULL for them.
  for (const column of storedColumns(dataset).filter((c) => !existing.has(c))) {
    await connection.run(`ALTER TABLE ${table} ADD COLUMN ${ident(column)} ${types.get(column)}`);
  }
}

function writeSql(dataset: Dataset, run: RunRow['run']): string[] {
  const table = datasetTable(dataset.name);
  const data = storedColumns(dataset).filter((c) => !(PROVENANCE_COLUMNS as readonly string[]).includes(c));
  const provenance = `${literal(run.runId)}, ${literal(run.startedAt)}::TIMESTAMPTZ`;
  const columnList = storedColumns(dataset).map(ident).join(', ');
  const on = dataset.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
  const set = [
    ...data.map((c) => `${ident(c)} = s.${ident(c)}`),
    `_odp_run_id = s._odp_run_id`,
    `_odp_ingested_at = s._odp_ingested_at`,
  ];
  return [
    `INSERT INTO ${table} (${columnList}) SELECT ${data.map(ident).join(', ')}, ${provenance} FROM planned WHERE _odp_action = 'insert'`,
    `MERGE INTO ${table} AS t
     USING (SELECT ${data.map(ident).join(', ')}, ${literal(run.runId)} AS _odp_run_id,
                   ${literal(run.startedAt)}::TIMESTAMPTZ AS _odp_ingested_at
            FROM planned WHERE _odp_action = 'update') AS s
     ON ${on}
     WHEN MATCHED THEN UPDATE SET ${set.join(', ')}`,
  ];
}

function quarantineSql(dataset: Dataset, run: RunRow['run']): string {
  const head = `${literal(dataset.name)}, ${literal(run.runId)}`;
  const at = `${literal(run.startedAt)}::TIMESTAMPTZ`;
  return `
    INSERT INTO ${LAKE}.odp.quarantine
    SELECT ${head}, _odp_seq, _odp_raw, array_to_string(list_transform(_odp_issues, i -> i.message), '; '),
           list_transform(_odp_issues, i -> i.code), ${at}, NULL
    FROM checked WHERE _odp_issues IS NOT NULL
    UNION ALL
    SELECT ${head}, _odp_seq,
           coalesce(_odp_raw, to_json(struct_pack(${dataset.columns.map((c) => `${ident(c.name)} := ${ident(c.name)}`).join(', ')}))::VARCHAR),
           ${conflictMessageSql(dataset)}, ['conflict'], ${at}, NULL
    FROM ranked WHERE _odp_class = 'conflict'`;
}

/**
 * Commit: the batch's inserts and updates, its quarantined records and the run's own record land in one DuckLake
 * transaction — one snapshot — or not at all. `extra` statements (e.g. marking re-driven records) join it.
 */
export async function commitBatch(
  connection: DuckDBConnection,
  dataset: Dataset,
  row: RunRow,
  existing: Set<string> | undefined,
  extra: readonly string[] = [],
): Promise<void> {
  await transaction(connection, async () => {
    await commitMessage(connection, row.run);
    await evolveTable(connection, dataset, existing);
    for (const statement of [...writeSql(dataset, row.run), quarantineSql(dataset, row.run), ...extra]) {
      await connection.run(statement);
    }
    await insertRun(connection, row);
  });
}

/** Records a run that wrote no data (failed or not modified) in a transaction of its own. */
export async function recordRun(connection: DuckDBConnection, row: RunRow): Promise<void> {
  await transaction(connection, async () => {
    await commitMessage(connection, row.run);
    await insertRun(connection, row);
  });
}
