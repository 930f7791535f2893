/**
 * Where raw increments are kept, exactly as received, so any batch can be replayed.
 * Keys look like `earthquakes/2026/11/23/<run-id>.geojson`.
 */
export interface IncrementStore {
  /** Stores a local file under `key`; once this resolves the increment is durable. */
  put(key: string, file: string): Promise<void>;
  /** Copies the increment `key` to the local file `destination`. */
  fetch(key: string, destination: string): Promise<void>;
  /** Where the store is, for logs and run records. */
  readonly location: string;
}

/** `<dataset>/<yyyy>/<mm>/<dd>/<run-id>[-<part>].<ext>`, dated by the run's start (UTC). */
export function incrementKey(
  dataset: string,
  runId: string,
  startedAt: Date,
  extension: string,
  part?: number,
): string {
  const iso = startedAt.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  return `${dataset}/${day}/${runId}${part === undefined ? '' : `-${part}`}.${extension}`;
}
