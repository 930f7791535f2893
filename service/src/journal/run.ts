import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const RUN_TRIGGERS = ['manual', 'schedule', 'replay', 'quarantine-replay'] as const;
/** `abandoned`: the run's process ended before the run did; the next run of its dataset records it so. */
export const RUN_STATUSES = ['succeeded', 'failed', 'not-modified', 'abandoned'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];

const Count = z.number().int().min(0);
const Time = z.string().describe('RFC 3339, UTC');

/**
 * One ingest run as everybody sees it: returned by the pipeline, printed by `odp ingest --json`, served by
 * `/v1/runs`. received = inserted + updated + unchanged + quarantined.
 */
export const Run = z
  .object({
    run_id: z.string(),
    dataset: z.string(),
    trigger: z.enum(RUN_TRIGGERS),
    source: z.string().describe('where the run read its records'),
    status: z.enum(RUN_STATUSES),
    error: z.string().nullable(),
    started_at: Time,
    ended_at: Time,
    received: Count,
    inserted: Count,
    updated: Count,
    unchanged: Count,
    quarantined: Count,
    snapshot_id: z.number().int().nullable().describe('the snapshot the run committed its data in'),
    increments: z
      .array(z.string())
      .describe('the raw increments the run read, as keys in the increment store'),
    top_reasons: z
      .array(z.object({ code: z.string(), count: Count }))
      .describe('the most frequent quarantine reasons of the run, most frequent first (at most five)'),
    notes: z
      .array(z.string())
      .describe('what the run left undone without failing, with the reason (e.g. summaries left empty)'),
  })
  .describe('an ingest run and what it did with the records it received');
export type Run = z.infer<typeof Run>;

/** What the journal works out when a run is read rather than storing it: from the catalog and the quarantine. */
export const RUN_DERIVED = ['snapshot_id', 'top_reasons'] as const;

/** What a run writes; its snapshot and quarantine reasons are read back from the lake once it has committed. */
export type RunEntry = Omit<Run, (typeof RUN_DERIVED)[number]>;

/** A run that holds its dataset's writer lease and has not ended: what `startRun` answers at once. */
export const RunInProgress = z
  .object({
    run_id: Run.shape.run_id,
    dataset: Run.shape.dataset,
    status: z.literal('running'),
    trigger: Run.shape.trigger,
    started_at: Run.shape.started_at,
    replica: z.string().describe('the host and process that runs it'),
  })
  .describe('a run under way; GET its Location for its outcome');
export type RunInProgress = z.infer<typeof RunInProgress>;

export type RunCounts = Pick<Run, 'received' | 'inserted' | 'updated' | 'unchanged' | 'quarantined'>;

export const NO_RECORDS: RunCounts = { received: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0 };

/** Run ids sort by start time and say which dataset they belong to: `20261123T194501123Z-earthquakes-3f9a`. */
export function newRunId(dataset: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${dataset}-${randomBytes(2).toString('hex')}`;
}
