import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import { type IncrementStore, incrementKey } from '../increments/store.js';
import { NO_RECORDS, newRunId, type RunCounts, type RunRecord, type RunTrigger } from '../journal/run.js';
import type { Lake } from '../lake/lake.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import type { Logger } from '../log.js';
import type { Fetched, SourceValidators } from '../sources/source.js';
import {
  batchOutcome,
  commitBatch,
  datasetTable,
  lakeTable,
  type RunRow,
  recordRun,
  snapshotOf,
} from './commit.js';
import { plannedSql, rankedSql } from './dedup.js';
import { enrichedSql } from './enrich.js';
import type { LeaseProvider } from './lease.js';
import { CSV_REJECTS, CSV_ROWS, csvReadSql, csvRejectsSql, parquetReader, stageSql } from './stage.js';
import { checkedSql } from './validate.js';

/** What one run needs from the world around it. */
export interface IngestContext {
  lake: Lake;
  increments: IncrementStore;
  leases: LeaseProvider;
  log: Logger;
  /** Called once a run is recorded, whatever its outcome (metrics, notifications). */
  onRun?: (run: RunRecord) => void | Promise<void>;
}

/** Where a run's payload comes from: the dataset's source, or increments already stored (replay). */
export type Payload =
  | {
      kind: 'fetch';
      source: string;
      fetch: (workDir: string, previous: SourceValidators | undefined) => Promise<Fetched>;
    }
  | { kind: 'stored'; source: string; increments: string[] };

export interface IngestRequest {
  dataset: Dataset;
  trigger: RunTrigger;
  payload: Payload;
  /** Statements that must commit with the batch (e.g. marking re-driven quarantine records). */
  alsoCommit?: (runId: string) => string[];
}

/**
 * One ingest run: source → increment → validate → enrich → dedup → commit. Every stage but the first and the
 * last is SQL over the batch in temporary tables private to the run's session; the lake sees the result in one
 * transaction, or nothing.
 */
export async function ingest(ctx: IngestContext, request: IngestRequest): Promise<RunRecord> {
  const { dataset } = request;
  const startedAt = new Date();
  const runId = newRunId(dataset.name, startedAt);
  const lease = await ctx.leases.acquire(dataset.name, runId);
  const workDir = await mkdtemp(path.join(os.tmpdir(), `odp-${runId}-`));
  const connection = await ctx.lake.connect();
  const base = { runId, dataset: dataset.name, trigger: request.trigger, startedAt: startedAt.toISOString() };
  let source = request.payload.source;
  let increments: string[] = request.payload.kind === 'stored' ? request.payload.increments : [];
  let record: RunRecord;
  // Each stage is logged at debug level with its duration: where a slow run spends its time.
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    ctx.log.debug({ runId, stage: name }, `${name} started`);
    const started = performance.now();
    const result = await work();
    ctx.log.debug({ runId, stage: name, ms: Math.round(performance.now() - started) }, `${name} done`);
    return result;
  };
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const batch = await step('source', () =>
      obtainPayload(ctx, request, workDir, connection, { runId, startedAt }),
    );
    source = batch.source;
    increments = batch.increments;
    if (batch.kind === 'not-modified') {
      const run = { ...base, source, increments, status: 'not-modified' as const, error: null };
      record = await finish(connection, run, NO_RECORDS, batch.validators);
    } else {
      await step('stage', () => stage(connection, dataset, batch.files));
      await step('validate', () => connection.run(checkedSql(dataset)));
      await step('enrich', () => connection.run(enrichedSql(dataset)));
      const existing = await lakeTable(connection, dataset.name);
      await step('dedup', async () => {
        for (const statement of rankedSql(dataset)) await connection.run(statement);
        await connection.run(
          plannedSql(dataset, existing && datasetTable(dataset.name), existing ?? new Set()),
        );
      });
      const { counts, topReasons } = await batchOutcome(connection);
      const run = { ...base, source, increments, status: 'succeeded' as const, error: null, ...counts };
      const row: RunRow = {
        run: { ...run, endedAt: new Date().toISOString() },
        validators: batch.validators,
      };
      await step('commit', () =>
        commitBatch(connection, dataset, row, existing, request.alsoCommit?.(runId) ?? []),
      );
      record = { ...row.run, snapshotId: await snapshotOf(connection, runId), topReasons };
    }
  } catch (error) {
    ctx.log.error({ err: error, runId, dataset: dataset.name }, 'ingest run failed');
    const failed = { ...base, source, increments, status: 'failed' as const, error: messageOf(error) };
    record = await finish(connection, failed, NO_RECORDS, {}).catch((recordError: unknown) => {
      ctx.log.error({ err: recordError, runId }, 'could not record the failed run');
      return {
        ...failed,
        ...NO_RECORDS,
        endedAt: new Date().toISOString(),
        snapshotId: null,
        topReasons: [],
      };
    });
  } finally {
    connection.closeSync();
    await rm(workDir, { recursive: true, force: true });
    await lease.release();
  }
  logRun(ctx.log, record);
  await ctx.onRun?.(record);
  return record;
}

type Obtained =
  | { kind: 'not-modified'; source: string; increments: string[]; validators: SourceValidators }
  | { kind: 'payload'; source: string; increments: string[]; files: string[]; validators: SourceValidators };

/** Source and increment: the raw payload is made durable in the increment store before anything reads it. */
async function obtainPayload(
  ctx: IngestContext,
  request: IngestRequest,
  workDir: string,
  connection: DuckDBConnection,
  run: { runId: string; startedAt: Date },
): Promise<Obtained> {
  const { dataset, payload } = request;
  if (payload.kind === 'stored') {
    const files = await Promise.all(
      payload.increments.map(async (key, i) => {
        const file = path.join(workDir, `${i}-${path.basename(key)}`);
        await ctx.increments.fetch(key, file);
        return file;
      }),
    );
    return { kind: 'payload', source: payload.source, increments: payload.increments, files, validators: {} };
  }
  const fetched = await payload.fetch(workDir, await lastValidators(connection, dataset.name));
  if (fetched.kind === 'not-modified') return { ...fetched, increments: [], validators: {} };
  const format = dataset.source.format;
  const keys = fetched.files.map((_, i) =>
    incrementKey(
      dataset.name,
      run.runId,
      run.startedAt,
      format,
      fetched.files.length > 1 ? i + 1 : undefined,
    ),
  );
  await Promise.all(fetched.files.map((file, i) => ctx.increments.put(keys[i]!, file)));
  return {
    kind: 'payload',
    source: fetched.source,
    increments: keys,
    files: fetched.files,
    validators: fetched.validators,
  };
}

/** The HTTP validators of the dataset's last successful fetch, for a conditional request. */
async function lastValidators(
  connection: DuckDBConnection,
  dataset: string,
): Promise<SourceValidators | undefined> {
  const [last] = await rows<{ source_etag: string | null; source_last_modified: string | null }>(
    connection,
    `SELECT source_etag, source_last_modified FROM lake.odp.runs
     WHERE dataset = ? AND status = 'succeeded' AND (source_etag IS NOT NULL OR source_last_modified IS NOT NULL)
     ORDER BY started_at DESC LIMIT 1`,
    [dataset],
  );
  return last
    ? { etag: last.source_etag ?? undefined, lastModified: last.source_last_modified ?? undefined }
    : undefined;
}

async function stage(connection: DuckDBConnection, dataset: Dataset, files: string[]): Promise<void> {
  const format = dataset.source.format;
  if (format === 'json' || format === 'geojson' || format === 'ndjson') {
    await connection.run(stageSql(dataset, files));
    return;
  }
  if (format === 'csv') await connection.run(csvReadSql(files));
  const relation = format === 'csv' ? CSV_ROWS : parquetReader(files);
  const described = await rows<{ column_name: string }>(connection, `DESCRIBE SELECT * FROM ${relation}`);
  await connection.run(stageSql(dataset, files, new Set(described.map((d) => d.column_name))));
  if (format === 'csv') {
    await connection.run(csvRejectsSql(dataset));
    await connection.run(`DROP TABLE IF EXISTS ${ident(CSV_REJECTS)}`);
    await connection.run(`DROP TABLE IF EXISTS ${ident(CSV_ROWS)}`);
  }
}

async function finish(
  connection: DuckDBConnection,
  run: Omit<RunRow['run'], 'endedAt' | keyof RunCounts>,
  counts: RunCounts,
  validators: SourceValidators,
): Promise<RunRecord> {
  const row: RunRow = { run: { ...run, ...counts, endedAt: new Date().toISOString() }, validators };
  await recordRun(connection, row);
  return { ...row.run, snapshotId: null, topReasons: [] };
}

/** One structured line per run, with the counts and, when records were quarantined, the top reasons. */
function logRun(log: Logger, run: RunRecord): void {
  const { increments: _increments, ...fields } = run;
  const level = run.status === 'failed' ? 'error' : run.quarantined > 0 ? 'warn' : 'info';
  log[level](
    { run: fields },
    `ingest ${run.dataset} ${run.status}: ${run.received} received, ${run.inserted} inserted, ${run.updated} updated, ${run.unchanged} unchanged, ${run.quarantined} quarantined`,
  );
}
