import { randomBytes } from 'node:crypto';

export type RunTrigger = 'manual' | 'schedule' | 'replay' | 'quarantine-replay';
export type RunStatus = 'succeeded' | 'failed' | 'not-modified';

/** What a run did with the records it received: received = inserted + updated + unchanged + quarantined. */
export interface RunCounts {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
}

export const NO_RECORDS: RunCounts = { received: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0 };

/** The record of one ingest run, as stored in `lake.odp.runs` and printed by `odp ingest --json`. */
export interface RunRecord extends RunCounts {
  runId: string;
  dataset: string;
  trigger: RunTrigger;
  source: string;
  status: RunStatus;
  error: string | null;
  startedAt: string;
  endedAt: string;
  /** The lake snapshot the run committed; null when it committed no data. */
  snapshotId: number | null;
  /** Keys of the raw increments the run read, in the increment store. */
  increments: string[];
  /** The most frequent quarantine reasons of this run, most frequent first. */
  topReasons: { code: string; count: number }[];
}

/** Run ids sort by start time and say which dataset they belong to: `20261123T194501123Z-earthquakes-3f9a`. */
export function newRunId(dataset: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${dataset}-${randomBytes(2).toString('hex')}`;
}
