import type { Context, Middleware } from 'koa';
import type { ApiKey, KeyStore } from '../../access/keys.js';
import type { RateLimiter } from '../../access/rateLimit.js';
import { grants, type Scope } from '../../access/scopes.js';
import type { AccessSettings } from '../../config/config.js';
import { Problem } from '../http/problem.js';

/** Who may call a route: anyone, Prometheus (as configured), or holders of a key with that scope. */
export type Access = 'public' | 'metrics' | Scope;

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="odp"' };

function presentedKey(ctx: Context): string | undefined {
  const authorization = ctx.get('Authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  return bearer ?? (ctx.get('X-API-Key').trim() || undefined);
}

/**
 * Who is calling: the key in `Authorization: Bearer` or `X-API-Key`, checked against the key store, then charged
 * one token from its bucket. Throws 401 for a missing or unknown key and 429 when the bucket is empty.
 */
async function admit(
  ctx: Context,
  keys: KeyStore,
  limiter: RateLimiter,
  settings: AccessSettings,
): Promise<ApiKey> {
  const existing = ctx.state.apiKey as ApiKey | undefined;
  if (existing) return existing;
  const token = presentedKey(ctx);
  if (!token) {
    throw new Problem(
      401,
      'API key required',
      'send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>` (create one with `odp keys create`)',
      { headers: CHALLENGE },
    );
  }
  const key = await keys.verify(token);
  if (!key) {
    throw new Problem(401, 'Unknown API key', 'the API key is not known or has been revoked', {
      headers: CHALLENGE,
    });
  }
  ctx.state.apiKey = key;
  const decision = await limiter.take(key.id, settings.limits[key.scope]);
  ctx.set(
    'RateLimit-Policy',
    `${decision.limit};w=${Math.ceil(decision.limit / settings.limits[key.scope].perSecond)}`,
  );
  ctx.set('RateLimit-Limit', String(decision.limit));
  ctx.set('RateLimit-Remaining', String(decision.remaining));
  ctx.set('RateLimit-Reset', String(decision.resetSeconds));
  if (!decision.allowed) {
    throw new Problem(
      429,
      'Too many requests',
      `key ${key.id} (${key.name}) may make ${settings.limits[key.scope].perSecond} requests per second with bursts of ${decision.limit}; retry in ${decision.retryAfterSeconds} s`,
      { headers: { 'Retry-After': String(decision.retryAfterSeconds) } },
    );
  }
  return key;
}

/** Everything under /v1 needs a key, whatever route it reaches (or none): a new route cannot be left open. */
export function requireKeyUnder(
  prefix: string,
  keys: KeyStore,
  limiter: RateLimiter,
  settings: AccessSettings,
): Middleware {
  return async (ctx, next) => {
    if (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) await admit(ctx, keys, limiter, settings);
    await next();
  };
}

/** The route's own access rule: public, metrics (public or admin, as configured) or a scope. */
export function allow(
  access: Access,
  metricsPublic: boolean,
  keys: KeyStore,
  limiter: RateLimiter,
  settings: AccessSettings,
): Middleware {
  const needed: Scope | undefined =
    access === 'public' ? undefined : access === 'metrics' ? (metricsPublic ? undefined : 'admin') : access;
  return async (ctx, next) => {
    if (needed) {
      const key = await admit(ctx, keys, limiter, settings);
      if (!grants(key.scope, needed)) {
        throw new Problem(
          403,
          'Scope insufficient',
          `this route needs a key with scope ${needed}; key ${key.id} (${key.name}) has scope ${key.scope}`,
        );
      }
    }
    await next();
  };
}
