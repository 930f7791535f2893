import type { Middleware } from 'koa';
import { Problem } from '../http/problem.js';

/** Oversized or NUL-bearing queries and bodies are refused before any work is done (the API reads no bodies). */
export function requestLimits(maxQueryBytes: number, maxBodyBytes: number): Middleware {
  return async (ctx, next) => {
    if (Buffer.byteLength(ctx.querystring) > maxQueryBytes) {
      throw new Problem(414, 'Query too long', `the query string is longer than ${maxQueryBytes} bytes`);
    }
    // No value ODP stores holds a NUL character, and the database refuses one in a parameter.
    const withNul = Object.entries(ctx.query).find(([name, value]) => `${name}${value}`.includes('\0'));
    if (withNul || /%00/i.test(ctx.path)) {
      const where = withNul ? `the query parameter "${withNul[0].replaceAll('\0', '\\0')}"` : 'the path';
      throw new Problem(400, 'Bad request', `${where} contains a NUL character (%00)`);
    }
    const length = Number(ctx.get('Content-Length') || 0);
    if (length > maxBodyBytes || (ctx.get('Transfer-Encoding') && maxBodyBytes === 0)) {
      throw new Problem(413, 'Body too large', `request bodies are limited to ${maxBodyBytes} bytes`);
    }
    await next();
  };
}
