import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset } from '../datasets/definition.js';
import { rows } from '../lake/query.js';
import { literal } from '../lake/quote.js';
import { ingest } from '../pipeline/ingest.js';
import type { Runtime } from '../runtime.js';
import type { RunRecord } from './run.js';

export interface QuarantinedRecord {
  dataset: string;
  run_id: string;
  record_no: number;
  raw: string | null;
  reason: string;
  codes: string[];
  quarantined_at: string;
  replayed_by: string | null;
}

export interface QuarantineFilter {
  runId?: string | undefined;
  /** Also show records already re-driven by a later run. */
  includeReplayed?: boolean;
  limit?: number;
}

/** The filter as SQL; dataset and run ids are quoted as literals. */
function whereSql(dataset: string, filter: QuarantineFilter): string {
  const clauses = [`dataset = ${literal(dataset)}`];
  if (!filter.includeReplayed) clauses.push('replayed_by IS NULL');
  if (filter.runId) clauses.push(`run_id = ${literal(filter.runId)}`);
  return clauses.join(' AND ');
}

export async function listQuarantine(
  runtime: Runtime,
  dataset: string,
  filter: QuarantineFilter = {},
): Promise<QuarantinedRecord[]> {
  return runtime.lake.session((c) =>
    rows<QuarantinedRecord>(
      c,
      `SELECT * FROM lake.odp.quarantine WHERE ${whereSql(dataset, filter)}
       ORDER BY quarantined_at, run_id, record_no LIMIT ${Math.trunc(filter.limit ?? 1000)}`,
    ),
  );
}

/**
 * The records as quarantined are JSON objects keyed by column name (or the source's own JSON record), so a
 * re-drive reads them as NDJSON with the dataset's current definition.
 */
function replayDefinition(dataset: Dataset): Dataset {
  const jsonSource = ['json', 'geojson', 'ndjson'].includes(dataset.source.format);
  return {
    ...dataset,
    source: { ...dataset.source, format: 'ndjson' },
    columns: jsonSource ? dataset.columns : dataset.columns.map((c) => ({ ...c, from: `$.${c.name}` })),
  };
}

/**
 * Re-drives quarantined records through the pipeline, e.g. after a rule or a type was fixed. Records that now
 * pass are stored; those that still fail are quarantined again by the new run. The re-driven records are marked
 * with the new run's id in the same commit, so nothing is re-driven twice and nothing is lost.
 */
export async function replayQuarantine(
  runtime: Runtime,
  dataset: Dataset,
  filter: QuarantineFilter = {},
): Promise<RunRecord> {
  const pending = whereSql(dataset.name, { ...filter, includeReplayed: false });
  return ingest(runtime, {
    dataset: replayDefinition(dataset),
    trigger: 'quarantine-replay',
    payload: {
      kind: 'fetch',
      source: `quarantine of ${dataset.name}`,
      fetch: async (workDir) => {
        const records = await runtime.lake.session((c) =>
          rows<{ raw: string }>(
            c,
            `SELECT raw FROM lake.odp.quarantine WHERE ${pending} ORDER BY run_id, record_no`,
          ),
        );
        const file = path.join(workDir, 'quarantine.ndjson');
        await writeFile(file, records.map((r) => r.raw).join('\n'));
        return { kind: 'payload', source: `quarantine of ${dataset.name}`, files: [file], validators: {} };
      },
    },
    alsoCommit: (runId) => [
      `UPDATE lake.odp.quarantine SET replayed_by = ${literal(runId)} WHERE ${pending} AND run_id <> ${literal(runId)}`,
    ],
  });
}
