import type { Middleware } from 'koa';
import { Problem } from '../problem.js';

/** Oversized queries and bodies are refused before any work is done (the API reads no bodies at all). */
export function requestLimits(maxQueryBytes: number, maxBodyBytes: number): Middleware {
  return async (ctx, next) => {
    if (Buffer.byteLength(ctx.querystring) > maxQueryBytes) {
      throw new Problem(414, 'Query too long', `the query string is longer than ${maxQueryBytes} bytes`);
    }
    const length = Number(ctx.get('Content-Length') || 0);
    if (length > maxBodyBytes || (ctx.get('Transfer-Encoding') && maxBodyBytes === 0)) {
      throw new Problem(413, 'Body too large', `request bodies are limited to ${maxBodyBytes} bytes`);
    }
    await next();
  };
}
