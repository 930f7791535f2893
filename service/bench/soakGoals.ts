import { percentile } from './percentile.js';

/**
 * Minutes at the start that only warm up; drift is measured after them. The RSS floor climbs fastest in the first
 * 5 minutes (native memory, with glibc's malloc and jemalloc alike; soak results of 2026-12-02).
 */
export const WARMUP_MINUTES = 5;
/**
 * The flatness goals compare the first window after the warm-up with the last one. A window spans two maintenance
 * cycles and eight ingests, so both see the same mix of work, and one slow minute cannot decide a goal.
 */
export const WINDOW_MINUTES = 4;
/** The shortest soak that measures drift: the warm-up and two windows. */
export const DRIFT_MINUTES = WARMUP_MINUTES + 2 * WINDOW_MINUTES;

/** A minute of the soak as its goals read it; a floor is null when the minute had no sample. */
export interface SoakMinute {
  minute: number;
  p99ms: number;
  rssMb: number;
  rssFloorMb: number | null;
  fdsFloor: number | null;
}

/** How the lake's records differ from what the feed sent (ChangingFeed.compare). */
export interface SoakContent {
  sent: number;
  stored: number;
  missing: number;
  doubled: number;
  unknown: number;
  staleVersion: number;
  aheadVersion: number;
  wrongValue: number;
}

/** A flatness goal is met or missed only when both windows have the figure; otherwise it was not measured. */
export type Goal = boolean | 'not measured';

/**
 * The soak's goals from what it measured: no error, the lake holding exactly what the feed sent, and, comparing the
 * first window after the warm-up with the last one, p99 and the floors of RSS and descriptors flat.
 */
export function goalsOf(soak: {
  minutes: number;
  table: readonly SoakMinute[];
  errors: number;
  failedRuns: number;
  /** Undefined when no run finished after the feed froze. */
  content: SoakContent | undefined;
}) {
  const { minutes, table, content } = soak;
  /** A window of minutes: the median of their p99, the lowest of their floors, the highest of their peaks. */
  const window = (firstMinute: number) => {
    const rows = table.filter((m) => m.minute >= firstMinute && m.minute < firstMinute + WINDOW_MINUTES);
    const values = (pick: (m: SoakMinute) => number | null) =>
      rows.map(pick).filter((n): n is number => n !== null && n > 0);
    const lowest = (pick: (m: SoakMinute) => number | null) => {
      const found = values(pick);
      return found.length ? Math.min(...found) : undefined;
    };
    const highest = (pick: (m: SoakMinute) => number | null) => {
      const found = values(pick);
      return found.length ? Math.max(...found) : undefined;
    };
    const p99s = values((m) => m.p99ms);
    return {
      minutes: [firstMinute, firstMinute + WINDOW_MINUTES - 1],
      p99MedianMs: p99s.length ? percentile(p99s, 50) : undefined,
      rssFloorMb: lowest((m) => m.rssFloorMb),
      rssPeakMb: highest((m) => m.rssMb),
      fdsFloor: lowest((m) => m.fdsFloor),
    };
  };
  const driftMeasured = minutes >= DRIFT_MINUTES;
  const firstWindow = driftMeasured ? window(WARMUP_MINUTES + 1) : undefined;
  const lastWindow = driftMeasured ? window(minutes - WINDOW_MINUTES + 1) : undefined;
  const growth = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : Math.round(((b - a) / a) * 1000) / 1000;
  const drift = {
    measured: driftMeasured,
    ...(driftMeasured
      ? {
          firstWindow,
          lastWindow,
          rssFloorGrowth: growth(firstWindow?.rssFloorMb, lastWindow?.rssFloorMb),
          rssPeakGrowth: growth(firstWindow?.rssPeakMb, lastWindow?.rssPeakMb),
          fdsFloorGrowth: growth(firstWindow?.fdsFloor, lastWindow?.fdsFloor),
        }
      : {
          reason: `a ${minutes}-minute soak has no baseline: the ${WARMUP_MINUTES}-minute warm-up and two ${WINDOW_MINUTES}-minute windows need ${DRIFT_MINUTES}`,
        }),
  };
  const flat = (
    pick: (w: NonNullable<typeof firstWindow>) => number | undefined,
    holds: (first: number, last: number) => boolean,
  ): Goal => {
    const [a, b] = [firstWindow && pick(firstWindow), lastWindow && pick(lastWindow)];
    return a === undefined || b === undefined ? 'not measured' : holds(a, b);
  };
  const goals: Record<string, Goal> = {
    noErrors: soak.errors === 0 && soak.failedRuns === 0,
    exactlyOnce:
      content !== undefined &&
      content.missing + content.doubled + content.unknown === 0 &&
      content.staleVersion + content.aheadVersion + content.wrongValue === 0,
    rssFlat: flat(
      (w) => w.rssFloorMb,
      (a, b) => b < 1.1 * a,
    ),
    fdsFlat: flat(
      (w) => w.fdsFloor,
      (a, b) => b < 1.1 * a,
    ),
    p99Flat: flat(
      (w) => w.p99MedianMs,
      (a, b) => b <= 1.5 * a + 10,
    ),
  };
  return { drift, goals };
}
