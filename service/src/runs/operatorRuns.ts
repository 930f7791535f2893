import type { RunInProgress } from '../journal/run.js';
import type { Runtime } from '../runtime.js';
import { type RunRequest, startRun } from './start.js';

/**
 * Runs operators start over HTTP, in the serving process: each takes its dataset's writer lease like any run
 * (a second one is refused, naming the holder), is answered as soon as it holds it, and is waited for when the
 * server stops.
 */
export class OperatorRuns {
  readonly #runtime: Runtime;
  readonly #running = new Map<string, { progress: RunInProgress; done: Promise<unknown> }>();

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /** Starts `request` (or throws `lease-held`); resolves once the run holds its lease. */
  async start(request: RunRequest): Promise<RunInProgress> {
    const { progress, outcome } = await startRun(this.#runtime, request);
    // The run records its own failure; nothing is left to handle here but the bookkeeping.
    const done = outcome.catch(() => undefined).finally(() => this.#running.delete(progress.run_id));
    this.#running.set(progress.run_id, { progress, done });
    return progress;
  }

  /** A run started here that is still going. */
  inProgress(runId: string): RunInProgress | undefined {
    return this.#running.get(runId)?.progress;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }
}
