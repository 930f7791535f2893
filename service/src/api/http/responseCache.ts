/**
 * What an entry costs the JS heap beyond its key's and body's characters: the Map's slot, the entry and the
 * strings' headers. Measured on Node 24 with pages of every size (`test/api/cacheHeap.ts`).
 */
const ENTRY_BYTES = 140;

/** Latin-1 text takes a byte a character in V8's heap; anything wider takes two for every character. */
const WIDE = /[\u0100-\uffff]/;
const heapBytes = (text: string): number => (WIDE.test(text) ? 2 : 1) * text.length;

/**
 * An ETag as the API builds it is a rope of pieces (quotes around a slice of a longer digest) that takes some
 * 160 bytes of heap for its 24 characters; the cache keeps a flat copy of it instead.
 */
const flat = (text: string): string => Buffer.from(text, 'latin1').toString('latin1');

/**
 * Response bodies kept by their ETag. An ETag is a digest of (snapshot, normalised query), and a snapshot never
 * changes, so a hit is exactly what the query would return: the cache can be served from but never go stale.
 * Least recently used bodies are dropped once the entries take more of the heap than the cache's size, counted as
 * V8 keeps them: keys, bodies and each entry's own overhead.
 */
export class ResponseCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, { body: string; bytes: number }>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get(etag: string): string | undefined {
    const entry = this.#entries.get(etag);
    if (entry !== undefined) {
      this.#entries.delete(etag);
      this.#entries.set(etag, entry);
    }
    return entry?.body;
  }

  set(etag: string, body: string): void {
    const bytes = ENTRY_BYTES + heapBytes(etag) + heapBytes(body);
    // A body bigger than an eighth of the cache would evict too much to be worth keeping.
    if (bytes > this.#maxBytes / 8 || this.#entries.has(etag)) return;
    this.#entries.set(flat(etag), { body, bytes });
    this.#bytes += bytes;
    if (this.#bytes <= this.#maxBytes) return;
    // Down to 7/8 at once: a Map walks past the slots of deleted entries from its start, so evicting one entry per
    // insertion cost a walk over thousands of them each time.
    for (const [key, old] of this.#entries) {
      if (this.#bytes <= (this.#maxBytes * 7) / 8) break;
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
  }
}
