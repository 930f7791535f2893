import type { Run } from '../journal/run.js';
import { type IngestRequest, type StartedRun, startIngest } from '../pipeline/ingest.js';
import { quarantineReplay, runReplay } from '../pipeline/redrive.js';
import type { Runtime } from '../runtime.js';
import { fromSource } from '../sources/source.js';

/** A run to start, by what starts it; the trigger decides what it reads. */
export type RunRequest =
  /** The dataset's own source (bundled or live, as configured); `recheck` looks at every record received. */
  | { trigger: 'manual' | 'schedule'; dataset: string; recheck?: boolean }
  /** A past run's raw increments, again. */
  | { trigger: 'replay'; run: string }
  /** The dataset's quarantined records still waiting, or only those of one run. */
  | { trigger: 'quarantine-replay'; dataset: string; run?: string | undefined };

async function ingestRequest(runtime: Runtime, request: RunRequest): Promise<IngestRequest> {
  switch (request.trigger) {
    case 'manual':
    case 'schedule': {
      const dataset = runtime.dataset(request.dataset);
      return {
        dataset,
        trigger: request.trigger,
        input: fromSource(dataset, runtime.config.sources),
        recheck: request.recheck === true,
      };
    }
    case 'replay':
      return runReplay(runtime, request.run);
    case 'quarantine-replay':
      return quarantineReplay(runtime, runtime.dataset(request.dataset), { runId: request.run });
  }
}

/**
 * Starts a run, however it was asked for (the CLI, the scheduler, the HTTP API): it takes the dataset's writer
 * lease (or throws `lease-held`, naming the holder) and answers with the run in progress and its outcome to come.
 */
export async function startRun(runtime: Runtime, request: RunRequest): Promise<StartedRun> {
  return startIngest(runtime, await ingestRequest(runtime, request));
}

/** Starts a run and waits for its end: what a command does. */
export async function runToEnd(runtime: Runtime, request: RunRequest): Promise<Run> {
  return (await startRun(runtime, request)).outcome;
}
