import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { goalsOf, type SoakContent, type SoakMinute } from '../../bench/soakGoals.js';

/** The 14-minute soak committed with its results: every goal met. */
const measured = JSON.parse(
  await readFile(new URL('../../bench/results/soak-2026-12-07T00-42-32-931Z.json', import.meta.url), 'utf8'),
) as {
  settings: { minutes: number };
  table: SoakMinute[];
  totals: { errors: number; failedRuns: number; content: SoakContent };
  drift: unknown;
  goals: unknown;
};
const soak = {
  minutes: measured.settings.minutes,
  table: measured.table,
  errors: measured.totals.errors,
  failedRuns: measured.totals.failedRuns,
  content: measured.totals.content,
};

describe('soak goals', () => {
  it('finds every goal of the committed 14-minute soak met, with the drift it recorded', () => {
    const { drift, goals } = goalsOf(soak);
    expect(goals).to.deep.equal({
      noErrors: true,
      exactlyOnce: true,
      rssFlat: true,
      fdsFlat: true,
      p99Flat: true,
    });
    expect(goals).to.deep.equal(measured.goals);
    expect(drift).to.deep.equal(measured.drift);
  });

  it('reports the flatness goals of a 10-minute soak as not measured, and says why', () => {
    const { drift, goals } = goalsOf({
      ...soak,
      minutes: 10,
      table: soak.table.filter((m) => m.minute <= 10),
    });
    expect(goals).to.deep.equal({
      noErrors: true,
      exactlyOnce: true,
      rssFlat: 'not measured',
      fdsFlat: 'not measured',
      p99Flat: 'not measured',
    });
    expect(drift).to.deep.equal({
      measured: false,
      reason: 'a 10-minute soak has no baseline: the 5-minute warm-up and two 4-minute windows need 13',
    });
  });

  it('misses rssFlat when the last window’s RSS floor is 10% above the first’s', () => {
    // The first window's floor is 338 MB (minute 6–9); every later minute's floor at 372 MB is 10% above it.
    const table = soak.table.map((m) => (m.minute >= 11 ? { ...m, rssFloorMb: 372 } : m));
    expect(goalsOf({ ...soak, table }).goals).to.include({ rssFlat: false, fdsFlat: true, p99Flat: true });
  });

  it('misses exactlyOnce when a record is doubled or no run finished, and noErrors on a failed run', () => {
    expect(goalsOf({ ...soak, content: { ...soak.content, doubled: 1 } }).goals.exactlyOnce).to.equal(false);
    expect(goalsOf({ ...soak, content: undefined }).goals.exactlyOnce).to.equal(false);
    expect(goalsOf({ ...soak, failedRuns: 1 }).goals.noErrors).to.equal(false);
  });
});
