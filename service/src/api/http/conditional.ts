import { createHash } from 'node:crypto';
import type { Context } from 'koa';

/** A short stable digest of a query, for cursors and ETags. */
export function digest(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
}

/** The strong ETag of a response made of `parts`; the response cache keys bodies by it. */
export const etagOf = (parts: (string | number)[]): string => `"${digest(...parts)}"`;

/**
 * HTTP caching keyed on the lake snapshot: a response is a function of (snapshot, normalised query), so its ETag
 * is their digest and a client holding it gets a 304 without the query being run. A response pinned to a snapshot
 * (`asOf`, a cursor) can never change and is marked immutable.
 */
export function answerFromCache(ctx: Context, parts: (string | number)[], pinned: boolean): boolean {
  const etag = etagOf(parts);
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', pinned ? 'private, max-age=31536000, immutable' : 'private, no-cache');
  const presented = ctx.get('If-None-Match');
  if (
    presented &&
    (presented.trim() === '*' || presented.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))
  ) {
    ctx.status = 304;
    return true;
  }
  return false;
}
