import type pg from 'pg';
import {
  type IRateLimiterOptions,
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateLimits } from '../config/config.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';

export interface RateDecision {
  allowed: boolean;
  /** How many requests a window allows. */
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the count starts again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

/** Charges one request to a key, within its limits. */
export interface RateLimiter {
  take(key: string, limits: RateLimits): Promise<RateDecision>;
}

/** A limiter of the library for one set of limits; `keyPrefix` keeps the counts of different limits apart. */
type LimiterFactory = (options: IRateLimiterOptions) => RateLimiterAbstract;

function windowOf(limits: RateLimits): IRateLimiterOptions {
  return {
    keyPrefix: `odp-${limits.burst}-${limits.perSecond}`,
    points: limits.burst,
    duration: limits.burst / limits.perSecond,
  };
}

function decision(allowed: boolean, limits: RateLimits, res: RateLimiterRes): RateDecision {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return {
    allowed,
    limit: limits.burst,
    remaining: res.remainingPoints,
    resetSeconds: seconds,
    retryAfterSeconds: allowed ? 0 : seconds,
  };
}

/** Counts with the `rate-limiter-flexible` limiters one factory makes, one limiter per distinct set of limits. */
class Windows implements RateLimiter {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #make: LimiterFactory;

  constructor(make: LimiterFactory) {
    this.#make = make;
  }

  async take(key: string, limits: RateLimits): Promise<RateDecision> {
    const options = windowOf(limits);
    let limiter = this.#limiters.get(options.keyPrefix as string);
    if (!limiter) {
      limiter = this.#make(options);
      this.#limiters.set(options.keyPrefix as string, limiter);
    }
    try {
      return decision(true, limits, await limiter.consume(key));
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return decision(false, limits, refused);
      throw refused;
    }
  }
}

/** Counts in this process: the embedded default, where one process serves the lake. */
export function localRateLimiter(): RateLimiter {
  return new Windows((options) => new RateLimiterMemory(options));
}

/** The table the replicas count in, in the catalog's database. */
const TABLE = 'odp_rate_limits';
/** After PostgreSQL fails, each replica counts alone for this long before it asks PostgreSQL again. */
const FALLBACK_MS = 5_000;

/**
 * Counts in PostgreSQL, shared by every replica on the catalog, so N replicas together allow a key its limit
 * once (not N times). While PostgreSQL does not answer, each replica counts in memory: requests are still served
 * and limited per replica, and the shared count resumes once PostgreSQL is back.
 */
export function sharedRateLimiter(pool: pg.Pool, log: Logger): RateLimiter {
  // The library creates its table when its first limiter is made (once per process; again after a failure).
  let table: Promise<void> | undefined;
  const created = () =>
    new Promise<void>((resolve, reject) => {
      new RateLimiterPostgres(
        { storeClient: pool, storeType: 'pool', tableName: TABLE, points: 1, duration: 1 },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  const shared = new Windows(
    (options) =>
      new RateLimiterPostgres({
        ...options,
        storeClient: pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
      }),
  );
  const local = localRateLimiter();
  let localUntil = 0;
  return {
    take: async (key, limits) => {
      if (Date.now() < localUntil) return local.take(key, limits);
      try {
        table ??= created();
        await table;
        return await shared.take(key, limits);
      } catch (error) {
        table = undefined;
        localUntil = Date.now() + FALLBACK_MS;
        log.warn(
          { err: messageOf(error), retryInMs: FALLBACK_MS },
          'rate limits: PostgreSQL did not answer; counting in this replica alone for now',
        );
        return local.take(key, limits);
      }
    },
  };
}
