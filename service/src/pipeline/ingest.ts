import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LanguageModelSettings } from '../config/config.js';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import type { IncrementStore } from '../increments/store.js';
import { incrementKey } from '../increments/store.js';
import {
  NO_RECORDS,
  newRunId,
  type Run,
  type RunCounts,
  type RunEntry,
  type RunInProgress,
  type RunTrigger,
} from '../journal/run.js';
import { lastValidators, readRun } from '../journal/runs.js';
import type { Lake } from '../lake/lake.js';
import { unreachable } from '../lake/outage.js';
import type { Statement } from '../lake/query.js';
import type { Logger } from '../log.js';
import type { Fetched, SourceValidators } from '../sources/fetched.js';
import { stagedAsText } from '../sources/formats/format.js';
import { FORMATS } from '../sources/formats/formats.js';
import { batchCounts, commitBatch, datasetTable, lakeTable, recordRun } from './commit.js';
import { plannedSql, rankedSql } from './dedup.js';
import { enrichedSql } from './enrich.js';
import { inProgress, type Lease, type LeaseProvider, type RunUnderWay } from './lease.js';
import { screen } from './screen.js';
import { summarize } from './summarize.js';
import { checkedSql } from './validate.js';

/** What one run needs from the world around it. */
export interface IngestContext {
  lake: Lake;
  increments: IncrementStore;
  leases: LeaseProvider;
  log: Logger;
  /** The model summary enrichments call; none configured leaves them empty, with a note. */
  languageModel?: LanguageModelSettings | undefined;
  /** Called once a run is recorded, whatever its outcome (metrics, notifications). */
  onRun?: (run: Run) => void | Promise<void>;
}

/** What a run reads: the dataset's source, or increments already in the store (a replay). */
export type RunInput =
  | {
      kind: 'source';
      source: string;
      fetch: (workDir: string, previous: SourceValidators | undefined) => Promise<Fetched>;
    }
  | { kind: 'increments'; source: string; keys: string[] };

export interface IngestRequest {
  dataset: Dataset;
  trigger: RunTrigger;
  input: RunInput;
  /** Look at every record received, also those stored unchanged before (see screen.ts). */
  recheck?: boolean;
  /** Statements that must commit with the batch (e.g. marking re-driven quarantine records). */
  alsoCommit?: (runId: string) => Statement[];
}

/**
 * The run's increment, or word from the source that nothing changed. `stored` settles once the increment is
 * durable in the store: the upload runs while the batch is validated, and the commit waits for it.
 */
type Increment =
  | { kind: 'not-modified'; source: string }
  | {
      kind: 'received';
      source: string;
      keys: string[];
      files: string[];
      validators: SourceValidators;
      stored: Promise<void>;
    };

/**
 * One ingest run: source → increment → screen → validate → enrich → dedup → commit. Every stage but the first and the
 * last is SQL over the batch in temporary tables private to the run's session; the lake sees the result in one
 * transaction, or nothing. Returns the run as the journal recorded it.
 */
export async function ingest(ctx: IngestContext, request: IngestRequest): Promise<Run> {
  return (await startIngest(ctx, request)).outcome;
}

/** A run that holds its dataset's writer lease and is under way: as it stands now, its outcome when it ends. */
export interface StartedRun {
  progress: RunInProgress;
  outcome: Promise<Run>;
}

/**
 * Takes the dataset's writer lease (or throws `lease-held`, naming the run that holds it) and starts the run,
 * so a caller that answers before the run ends (the HTTP API) knows at once whether it started, and its id.
 */
export async function startIngest(ctx: IngestContext, request: IngestRequest): Promise<StartedRun> {
  const startedAt = new Date();
  const runId = newRunId(request.dataset.name, startedAt);
  const lease = await ctx.leases.acquire({
    run_id: runId,
    dataset: request.dataset.name,
    trigger: request.trigger,
    source: request.input.source,
    started_at: startedAt.toISOString(),
  });
  return {
    progress: inProgress(lease.run),
    outcome: execute(ctx, request, runId, startedAt, lease),
  };
}

async function execute(
  ctx: IngestContext,
  request: IngestRequest,
  runId: string,
  startedAt: Date,
  lease: Lease,
): Promise<Run> {
  const { dataset, input } = request;
  let workDir: string;
  let connection: DuckDBConnection;
  try {
    workDir = await mkdtemp(path.join(os.tmpdir(), workDirPrefix(runId)));
    connection = await ctx.lake.connect();
  } catch (error) {
    await lease.release();
    throw error;
  }
  let entry: Omit<RunEntry, 'status' | 'error' | 'ended_at' | keyof RunCounts> = {
    run_id: runId,
    dataset: dataset.name,
    trigger: request.trigger,
    source: input.source,
    started_at: startedAt.toISOString(),
    increments: input.kind === 'increments' ? input.keys : [],
    notes: [],
  };
  let run: Run;
  let failedRun = false;
  let uploading: Promise<unknown> = Promise.resolve();
  let stage = 'start';
  // Each stage is logged at debug level with its duration: where a slow run spends its time.
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    stage = name;
    ctx.log.debug({ runId, stage: name }, `${name} started`);
    const started = performance.now();
    const result = await work();
    ctx.log.debug({ runId, stage: name, ms: Math.round(performance.now() - started) }, `${name} done`);
    return result;
  };
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const unfinished = lease.unfinished;
    if (unfinished)
      await step('abandoned', async () => {
        await recordAbandoned(connection, unfinished, runId);
        await removeWorkDirs(unfinished.run_id);
      });
    const increment = await step('source', () =>
      obtainIncrement(ctx, request, workDir, connection, startedAt, runId),
    );
    entry = { ...entry, source: increment.source };
    if (increment.kind === 'not-modified') {
      run = await recordRun(connection, finished(entry, 'not-modified', null, NO_RECORDS), {});
    } else {
      uploading = increment.stored.catch(() => undefined);
      entry = { ...entry, increments: increment.keys };
      const text = await step('stage', async () => {
        await FORMATS[dataset.source.format].stage(connection, dataset, increment.files);
        return stagedAsText(connection, dataset);
      });
      const existing = await lakeTable(connection, dataset.name);
      const table = existing && datasetTable(dataset.name);
      await step('screen', () =>
        screen(connection, dataset, table, existing ?? new Set(), request.recheck === true, text),
      );
      await step('validate', () => connection.run(checkedSql(dataset, text)));
      const summarised = await step('enrich', async () => {
        await connection.run(enrichedSql(dataset));
        return summarize(
          connection,
          dataset,
          runId,
          ctx.languageModel,
          table && existing ? { table, columns: existing } : undefined,
        );
      });
      entry = { ...entry, notes: summarised.notes };
      await step('dedup', async () => {
        for (const statement of rankedSql(dataset)) await connection.run(statement);
        await connection.run(plannedSql(dataset, table, existing ?? new Set()));
      });
      const counts = await batchCounts(connection, existing === undefined);
      // Nothing commits before the raw increment is durable: every stored record can be traced to its payload.
      await step('increment', () => increment.stored);
      const done = finished(entry, 'succeeded', null, counts);
      run = await step('commit', () =>
        commitBatch(connection, dataset, done, increment.validators, existing, [
          ...summarised.statements,
          ...(request.alsoCommit?.(runId) ?? []),
        ]),
      );
    }
  } catch (error) {
    failedRun = true;
    ctx.log.error({ err: error, runId, dataset: dataset.name }, 'ingest run failed');
    ctx.lake.noteError(error);
    const failed = finished(entry, 'failed', failureReason(dataset.name, stage, error), NO_RECORDS);
    run = await recordFailure(ctx, connection, failed);
  } finally {
    ctx.lake.release(connection);
    await uploading; // an upload still reading from workDir finishes (or fails) before workDir goes

    await rm(workDir, { recursive: true, force: true });
    // A lease lost to a dropped catalog connection matters only to a run that wrote; a failed one stays failed.
    await lease.release().catch((error: unknown) => {
      if (!failedRun) throw error;
      ctx.log.warn({ err: error, runId }, 'the writer lease was lost with the failed run');
    });
  }
  logRun(ctx.log, run);
  await ctx.onRun?.(run);
  return run;
}

/**
 * Why a run failed, as its record keeps it. A dependency that stopped answering, or an engine error, is named
 * with the stage it met (the engine's full text is in the log); other errors already say what went wrong.
 */
function failureReason(dataset: string, stage: string, error: unknown): string {
  const message = messageOf(error);
  const away = unreachable(error);
  const firstLine = message.split('\n')[0];
  if (away === 'catalog')
    return `${dataset}: the lake's catalog (PostgreSQL) stopped answering during ${stage}: ${firstLine}`;
  if (away === 'storage')
    return `${dataset}: the lake's storage stopped answering during ${stage}: ${firstLine}`;
  // DuckDB's errors name their kind ("IO Error: …", "TransactionContext Error: …") but not the run's stage.
  if (/^[A-Z][A-Za-z]*( [A-Z][A-Za-z]*)* Error: /.test(message)) {
    return `${dataset}: the engine failed during ${stage}: ${firstLine}`;
  }
  return message;
}

/** Waits between attempts to record a failed run while the catalog is away: about 30 s in all. */
const RECORD_RETRY_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

/** A run's work folder (its increment as fetched) is named after it, so a dead run's can be found. */
const workDirPrefix = (runId: string) => `odp-${runId}-`;

/**
 * Removes the work folder a run that died with its process left on this machine (none when it ran on another):
 * a writer restarted after crashes would otherwise fill its temporary space with the increments it fetched.
 */
async function removeWorkDirs(runId: string): Promise<void> {
  const prefix = workDirPrefix(runId);
  const names = await readdir(os.tmpdir());
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => rm(path.join(os.tmpdir(), name), { recursive: true, force: true })),
  );
}

/**
 * Records the run that held the lease before and died with its process, unless it recorded an outcome itself (a
 * run that lost its catalog connection records its failure): without this, it would be unknown to everyone.
 */
async function recordAbandoned(connection: DuckDBConnection, run: RunUnderWay, by: string): Promise<void> {
  if (await readRun(connection, run.run_id)) return;
  const { replica, ...started } = run;
  const error = `its process (${replica}) ended before the run did; found by run ${by}, which took the lease next`;
  const ended_at = new Date().toISOString();
  await recordRun(
    connection,
    { ...started, ...NO_RECORDS, status: 'abandoned', error, ended_at, increments: [], notes: [] },
    {},
  );
}

/**
 * Records a failed run, so its reason can be read later. When the failure was the catalog going away, recording
 * waits for it to come back (a restart takes seconds), through a new session since the run's own is broken.
 */
async function recordFailure(
  ctx: IngestContext,
  connection: DuckDBConnection,
  failed: RunEntry,
): Promise<Run> {
  for (let attempt = 0; ; attempt++) {
    try {
      return attempt === 0 && ctx.lake.usable(connection)
        ? await recordRun(connection, failed, {})
        : await ctx.lake.session((fresh) => recordRun(fresh, failed, {}));
    } catch (error) {
      const wait = RECORD_RETRY_MS[attempt];
      if (wait === undefined || (attempt > 0 && !unreachable(error))) {
        ctx.log.error({ err: error, runId: failed.run_id }, 'could not record the failed run');
        return { ...failed, snapshot_id: null, top_reasons: [] };
      }
      ctx.log.warn(
        { err: messageOf(error), runId: failed.run_id, retryInMs: wait },
        'recording the failed run',
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function finished(
  entry: Omit<RunEntry, 'status' | 'error' | 'ended_at' | keyof RunCounts>,
  status: RunEntry['status'],
  error: string | null,
  counts: RunCounts,
): RunEntry {
  return { ...entry, status, error, ...counts, ended_at: new Date().toISOString() };
}

/** Source and increment: the raw payload is fetched, and its upload to the increment store started. */
async function obtainIncrement(
  ctx: IngestContext,
  request: IngestRequest,
  workDir: string,
  connection: DuckDBConnection,
  startedAt: Date,
  runId: string,
): Promise<Increment> {
  const { dataset, input } = request;
  if (input.kind === 'increments') {
    const files = await Promise.all(
      input.keys.map(async (key, i) => {
        const file = path.join(workDir, `${i}-${path.basename(key)}`);
        await ctx.increments.fetch(key, file);
        return file;
      }),
    );
    const stored = Promise.resolve();
    return { kind: 'received', source: input.source, keys: input.keys, files, validators: {}, stored };
  }
  const fetched = await input.fetch(workDir, await lastValidators(connection, dataset.name));
  if (fetched.kind === 'not-modified') return fetched;
  const keys = fetched.files.map((_, i) =>
    incrementKey(
      dataset.name,
      runId,
      startedAt,
      FORMATS[dataset.source.format].extension,
      fetched.files.length > 1 ? i + 1 : undefined,
    ),
  );
  const stored = Promise.all(fetched.files.map((file, i) => ctx.increments.put(keys[i]!, file))).then(
    () => undefined,
  );
  // A failed upload is the commit's to report (it awaits `stored`); until then it must not count as unhandled.
  stored.catch(() => undefined);
  return {
    kind: 'received',
    source: fetched.source,
    keys,
    files: fetched.files,
    validators: fetched.validators,
    stored,
  };
}

/** One structured line per run, with the counts and, when records were quarantined, the top reasons. */
function logRun(log: Logger, run: Run): void {
  const { increments: _increments, ...fields } = run;
  const level = run.status === 'failed' ? 'error' : run.quarantined > 0 ? 'warn' : 'info';
  log[level](
    { run: fields },
    `ingest ${run.dataset} ${run.status}: ${run.received} received, ${run.inserted} inserted, ${run.updated} updated, ${run.unchanged} unchanged, ${run.quarantined} quarantined`,
  );
}
