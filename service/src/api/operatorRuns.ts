import { type IngestRequest, startIngest } from '../pipeline/ingest.js';
import type { Runtime } from '../runtime.js';

/** A run an operator started through the API that has not ended yet. */
export interface RunInProgress {
  run_id: string;
  dataset: string;
  status: 'running';
  started_at: string;
}

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
  async start(request: IngestRequest): Promise<RunInProgress> {
    const { runId, run } = await startIngest(this.#runtime, request);
    const progress: RunInProgress = {
      run_id: runId,
      dataset: request.dataset.name,
      status: 'running',
      started_at: new Date().toISOString(),
    };
    // The run records its own failure; nothing is left to handle here but the bookkeeping.
    const done = run.catch(() => undefined).finally(() => this.#running.delete(runId));
    this.#running.set(runId, { progress, done });
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
