import { Cron } from 'croner';
import { OdpError } from './errors.js';
import { ingestedDatasets } from './journal/runs.js';
import { maintainLake } from './lake/maintain.js';
import { runToEnd } from './runs/start.js';
import type { Runtime } from './runtime.js';

/** Runs every dataset on its cron schedule and lake maintenance on its own; `stop()` waits for runs in flight. */
export interface Scheduler {
  stop(): Promise<void>;
}

export async function startScheduler(runtime: Runtime): Promise<Scheduler> {
  const { log } = runtime;
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const runDataset = (name: string) => {
    const work = runToEnd(runtime, { trigger: 'schedule', dataset: name }).catch((error: unknown) => {
      if (error instanceof OdpError && error.code === 'lease-held')
        log.info({ dataset: name }, error.message);
      else log.error({ err: error, dataset: name }, 'scheduled ingest failed');
    });
    track(work);
    return work.then(() => undefined);
  };

  // `protect` skips a tick while the previous run of the same job is still going.
  const jobs = [...runtime.datasets.values()].map(
    (d) => new Cron(d.schedule, { name: d.name, protect: true, timezone: 'UTC' }, () => runDataset(d.name)),
  );
  jobs.push(
    new Cron(
      runtime.config.maintenanceSchedule,
      { name: 'lake-maintenance', protect: true, timezone: 'UTC' },
      () => {
        const work = maintainLake(runtime.lake, runtime.config.snapshotRetentionDays)
          .then((report) => log.info({ maintenance: report }, 'lake maintenance done'))
          .catch((error: unknown) => log.error({ err: error }, 'lake maintenance failed'));
        track(work);
        return work;
      },
    ),
  );

  // A dataset that has never been ingested is caught up now rather than at its next tick.
  const done = await runtime.lake.session(ingestedDatasets);
  for (const name of runtime.datasets.keys()) if (!done.has(name)) void runDataset(name);

  log.info(
    { schedules: jobs.map((j) => ({ job: j.name, next: j.nextRun()?.toISOString() })) },
    'scheduler started',
  );
  return {
    stop: async () => {
      for (const job of jobs) job.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
