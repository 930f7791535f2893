import type { DuckDBConnection } from '@duckdb/node-api';
import { OdpError } from '../errors.js';
import { LAKE } from '../lake/attach.js';
import { rows } from '../lake/query.js';
import { literal } from '../lake/quote.js';
import { METADATA } from '../lake/snapshots.js';
import { rfc3339Sql } from '../lake/time.js';
import type { SourceValidators } from '../sources/fetched.js';
import type { Run, RunEntry, RunStatus } from './run.js';
import { runInsert, runSelect } from './runColumns.js';
import { QUARANTINE, RUNS } from './tables.js';

const rfc3339 = (column: string) => rfc3339Sql(column, true);

/** The most frequent codes among `rejected` (a FROM clause with a `codes` list), at most five, most frequent first. */
const topReasonsSql = (rejected: string) => `
  coalesce((SELECT list_slice(list({'code': code, 'count': n} ORDER BY n DESC, code), 1, 5)
            FROM (SELECT code, count(*)::DOUBLE AS n FROM (SELECT unnest(codes) AS code FROM ${rejected}) GROUP BY code)),
           [])`;

/** The snapshot a run committed in: its commit carries the run id (read from the catalog's own table, one lookup). */
const snapshotOfRunSql = (runId: string) =>
  `(SELECT max(c.snapshot_id)::DOUBLE FROM ${METADATA}.ducklake_snapshot_changes c WHERE c.commit_extra_info = ${runId})`;

/** A run's columns as `Run` has them, its snapshot from the catalog and its reasons from its quarantine. */
const RUN_SELECT = runSelect('r', {
  snapshot_id: `CASE WHEN r.status = 'succeeded' THEN ${snapshotOfRunSql('r.run_id')} END`,
  top_reasons: topReasonsSql(`${QUARANTINE} q WHERE q.run_id = r.run_id`),
});

/** The statement that records a run; it joins the transaction that commits the run's data, if any. */
export async function writeRun(
  connection: DuckDBConnection,
  run: RunEntry,
  validators: SourceValidators,
): Promise<void> {
  const insert = runInsert(RUNS, run, {
    etag: validators.etag ?? null,
    lastModified: validators.lastModified ?? null,
    digest: validators.digest ?? null,
  });
  await connection.run(insert.sql, insert.params);
  const message = `${run.trigger} ingest of ${run.dataset}: run ${run.run_id} (${run.status})`;
  // The commit carries the run id, which is how a run finds its snapshot.
  await connection.run(
    `CALL ${LAKE}.set_commit_message('odp', ${literal(message)}, extra_info => ${literal(run.run_id)})`,
  );
}

export interface RunFilter {
  dataset?: string | undefined;
  status?: RunStatus | undefined;
  /** Only runs that sort after this one, newest first: the last run of the previous page. */
  after?: { startedAt: string; runId: string } | undefined;
  limit: number;
}

/** Runs, newest first. */
export async function listRuns(connection: DuckDBConnection, filter: RunFilter): Promise<Run[]> {
  const where = ['true'];
  const params: string[] = [];
  if (filter.dataset) {
    where.push('dataset = ?');
    params.push(filter.dataset);
  }
  if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.after) {
    where.push(
      '(started_at < CAST(? AS TIMESTAMPTZ) OR (started_at = CAST(? AS TIMESTAMPTZ) AND run_id < ?))',
    );
    params.push(filter.after.startedAt, filter.after.startedAt, filter.after.runId);
  }
  return rows<Run>(
    connection,
    `SELECT ${RUN_SELECT}
     FROM (SELECT * FROM ${RUNS} WHERE ${where.join(' AND ')}
           ORDER BY started_at DESC, run_id DESC LIMIT ${Math.trunc(filter.limit)}) r
     ORDER BY r.started_at DESC, r.run_id DESC`,
    params,
  );
}

/**
 * A run this session has just committed, as `readRun` would return it, without reading the journal back: its
 * reasons come from `rejected` (the batch's quarantined records, still in the session), its snapshot from the
 * catalog.
 */
export async function committedRun(
  connection: DuckDBConnection,
  run: RunEntry,
  rejected = '(SELECT []::VARCHAR[] AS codes WHERE false)',
): Promise<Run> {
  const snapshot = run.status === 'succeeded' ? snapshotOfRunSql(literal(run.run_id)) : 'NULL';
  const [found] = await rows<Pick<Run, 'snapshot_id' | 'top_reasons'>>(
    connection,
    `SELECT ${snapshot} AS snapshot_id, ${topReasonsSql(`(${rejected})`)} AS top_reasons`,
  );
  return { ...run, snapshot_id: found?.snapshot_id ?? null, top_reasons: found?.top_reasons ?? [] };
}

/** One run, or undefined when no run has that id. */
export async function readRun(connection: DuckDBConnection, runId: string): Promise<Run | undefined> {
  const [run] = await rows<Run>(connection, `SELECT ${RUN_SELECT} FROM ${RUNS} r WHERE r.run_id = ?`, [
    runId,
  ]);
  return run;
}

/** A past run whose raw increments can be ingested again. */
export async function replayableRun(connection: DuckDBConnection, runId: string): Promise<Run> {
  const run = await readRun(connection, runId);
  if (!run) throw new OdpError('run-unknown', `no ingest run with id ${runId}`, { expose: true });
  if (run.increments.length === 0)
    throw new OdpError('run-unknown', `run ${runId} stored no increment to replay (${run.status})`);
  return run;
}

/** The HTTP validators of the dataset's last successful fetch, for a conditional request. */
export async function lastValidators(
  connection: DuckDBConnection,
  dataset: string,
): Promise<SourceValidators | undefined> {
  const [last] = await rows<{
    source_etag: string | null;
    source_last_modified: string | null;
    source_digest: string | null;
  }>(
    connection,
    `SELECT source_etag, source_last_modified, source_digest FROM ${RUNS}
     WHERE dataset = ? AND status = 'succeeded'
       AND (source_etag IS NOT NULL OR source_last_modified IS NOT NULL OR source_digest IS NOT NULL)
     ORDER BY started_at DESC LIMIT 1`,
    [dataset],
  );
  return last
    ? {
        etag: last.source_etag ?? undefined,
        lastModified: last.source_last_modified ?? undefined,
        digest: last.source_digest ?? undefined,
      }
    : undefined;
}

/** Datasets with at least one successful run. */
export async function ingestedDatasets(connection: DuckDBConnection): Promise<Set<string>> {
  const found = await rows<{ dataset: string }>(
    connection,
    `SELECT DISTINCT dataset FROM ${RUNS} WHERE status = 'succeeded'`,
  );
  return new Set(found.map((r) => r.dataset));
}

/** A snapshot in which a run of the dataset committed, with what that run did. */
export interface DatasetSnapshot {
  snapshot_id: number;
  snapshot_time: string;
  commit_message: string | null;
  run_id: string;
  trigger: string;
  inserted: number;
  updated: number;
  quarantined: number;
}

/** The snapshots the dataset's successful runs committed, newest first, older than `before`. */
export async function datasetSnapshots(
  connection: DuckDBConnection,
  dataset: string,
  page: { before?: number | undefined; limit: number },
): Promise<DatasetSnapshot[]> {
  return rows<DatasetSnapshot>(
    connection,
    `SELECT s.snapshot_id::DOUBLE AS snapshot_id, ${rfc3339('s.snapshot_time')} AS snapshot_time, s.commit_message,
            r.run_id, r.trigger, r.inserted::DOUBLE AS inserted, r.updated::DOUBLE AS updated,
            r.quarantined::DOUBLE AS quarantined
     FROM ${LAKE}.snapshots() s JOIN ${RUNS} r ON s.commit_extra_info = r.run_id
     WHERE r.dataset = ? AND r.status = 'succeeded' AND s.snapshot_id < ?
     ORDER BY s.snapshot_id DESC LIMIT ?`,
    [dataset, page.before ?? Number.MAX_SAFE_INTEGER, page.limit],
  );
}

/** The snapshot of the dataset's latest run that changed it (inserted or updated records), if any. */
export async function lastChange(connection: DuckDBConnection, dataset: string): Promise<number | null> {
  const [changed] = await rows<{ id: string | null }>(
    connection,
    `SELECT max(s.snapshot_id) AS id FROM ${LAKE}.snapshots() s JOIN ${RUNS} r ON s.commit_extra_info = r.run_id
     WHERE r.dataset = ? AND r.status = 'succeeded' AND r.inserted + r.updated > 0`,
    [dataset],
  );
  return changed?.id == null ? null : Number(changed.id);
}
