/**
 * Response bodies kept by their ETag. An ETag is a digest of (snapshot, normalised query), and a snapshot never
 * changes, so a hit is exactly what the query would return: the cache can be served from but never go stale.
 * Least recently used bodies are dropped once the cache holds more than its size.
 */
export class ResponseCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, string>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(etag: string): string | undefined {
    const body = this.#entries.get(etag);
    if (body !== undefined) {
      this.#entries.delete(etag);
      this.#entries.set(etag, body);
    }
    return body;
  }

  set(etag: string, body: string): void {
    // A body bigger than an eighth of the cache would evict too much to be worth keeping.
    if (body.length > this.#maxBytes / 8 || this.#entries.has(etag)) return;
    this.#entries.set(etag, body);
    this.#bytes += body.length;
    for (const [key, old] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= old.length;
    }
  }
}
