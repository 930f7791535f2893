import { Cron } from 'croner';
import type { Dataset } from './api.js';

/** "3 min ago", "2 h ago": how long since a moment, as people read it. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

export const seconds = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

export type Freshness = 'fresh' | 'late' | 'failing' | 'never run';

/**
 * A dataset is failing when its last run failed or was abandoned (its process died), late when its last run is older than two of its schedule's
 * intervals (one missed run is allowed), fresh otherwise.
 */
export function freshness(dataset: Dataset, now = Date.now()): Freshness {
  const last = dataset.lastRun;
  if (!last) return 'never run';
  if (last.status === 'failed' || last.status === 'abandoned') return 'failing';
  const [next, after] = new Cron(dataset.schedule, { paused: true, timezone: 'UTC' }).nextRuns(2);
  const interval = next && after ? after.getTime() - next.getTime() : 86_400_000;
  return now - Date.parse(last.ended_at) > 2 * interval + 60_000 ? 'late' : 'fresh';
}
