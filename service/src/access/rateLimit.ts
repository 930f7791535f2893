import type { BucketLimits } from '../config/config.js';

export interface RateDecision {
  allowed: boolean;
  /** The bucket's size: how many requests may come at once. */
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token buckets, in process memory: a replica limits what reaches it. Idle buckets are dropped once
 * they are full again, so memory follows the number of active keys.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  take(key: string, limits: BucketLimits): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: limits.burst, at: now };
    const tokens = Math.min(limits.burst, bucket.tokens + ((now - bucket.at) / 1000) * limits.perSecond);
    const allowed = tokens >= 1;
    const left = allowed ? tokens - 1 : tokens;
    this.#buckets.set(key, { tokens: left, at: now });
    if (this.#buckets.size > 10_000) this.#sweep(now, limits);
    return {
      allowed,
      limit: Math.floor(limits.burst),
      remaining: Math.floor(left),
      resetSeconds: Math.ceil((limits.burst - left) / limits.perSecond),
      retryAfterSeconds: allowed ? 0 : Math.ceil((1 - left) / limits.perSecond),
    };
  }

  #sweep(now: number, limits: BucketLimits): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * limits.perSecond >= limits.burst) this.#buckets.delete(key);
    }
  }
}
