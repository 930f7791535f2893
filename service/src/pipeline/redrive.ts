import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Dataset, JSON_RECORD_FORMATS } from '../datasets/definition.js';
import { markRedrivenSql, pendingRecords, type QuarantineFilter } from '../journal/quarantine.js';
import { replayableRun } from '../journal/runs.js';
import type { IngestContext, IngestRequest } from './ingest.js';

/** The run that ingests a past run's raw increments again, with the dataset's current definition. */
export async function runReplay(
  ctx: IngestContext & { dataset(name: string): Dataset },
  runId: string,
): Promise<IngestRequest> {
  const past = await ctx.lake.session((c) => replayableRun(c, runId));
  return {
    dataset: ctx.dataset(past.dataset),
    trigger: 'replay',
    input: { kind: 'increments', source: `replay of ${runId}`, keys: past.increments },
  };
}

/**
 * The records as quarantined are JSON objects keyed by column name (or the source's own JSON record), so a
 * re-drive reads them as NDJSON with the dataset's current definition.
 */
function redriveDefinition(dataset: Dataset): Dataset {
  const jsonSource = JSON_RECORD_FORMATS.includes(dataset.source.format);
  return {
    ...dataset,
    // One payload of the records themselves, not the pages they first came in.
    source: { ...dataset.source, format: 'ndjson', pages: undefined },
    columns: jsonSource ? dataset.columns : dataset.columns.map((c) => ({ ...c, from: `$.${c.name}` })),
  };
}

/**
 * The run that re-drives a dataset's pending quarantined records through the pipeline, e.g. after a rule or a
 * type was fixed. Records that now pass are stored; those that still fail are quarantined again by the new run.
 * The re-driven records are marked with the new run's id in the same commit, so nothing is re-driven twice and
 * nothing is lost.
 */
export function quarantineReplay(
  ctx: IngestContext,
  dataset: Dataset,
  filter: QuarantineFilter = {},
): IngestRequest {
  const source = `quarantine of ${dataset.name}`;
  return {
    dataset: redriveDefinition(dataset),
    trigger: 'quarantine-replay',
    input: {
      kind: 'source',
      source,
      fetch: async (workDir) => {
        const records = await ctx.lake.session((c) => pendingRecords(c, dataset.name, filter));
        const file = path.join(workDir, 'quarantine.ndjson');
        await writeFile(file, records.join('\n'));
        return { kind: 'payload', source, files: [file], validators: {} };
      },
    },
    alsoCommit: (runId) => [markRedrivenSql(dataset.name, filter, runId)],
  };
}
