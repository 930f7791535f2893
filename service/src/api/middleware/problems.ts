import type { Middleware } from 'koa';
import { OdpError } from '../../errors.js';
import { unreachable } from '../../lake/outage.js';
import type { Logger } from '../../log.js';
import { Problem } from '../http/problem.js';

const STATUS_OF: Partial<Record<OdpError['code'], number>> = {
  'dataset-unknown': 404,
  'run-unknown': 404,
  'lake-busy': 503,
  'lease-held': 409,
};

function asProblem(error: unknown): Problem | undefined {
  if (error instanceof Problem) return error;
  if (error instanceof OdpError && error.expose) {
    return new Problem(STATUS_OF[error.code] ?? 400, error.code, error.message, {
      extra: { ...error.details },
    });
  }
  const away = unreachable(error);
  if (away) {
    return new Problem(
      503,
      'Lake unavailable',
      away === 'catalog'
        ? "the lake's catalog (PostgreSQL) does not answer; retry shortly"
        : "the lake's storage does not answer; retry shortly",
      { headers: { 'Retry-After': '5' } },
    );
  }
  // Koa's own errors (e.g. a malformed URL) carry a status and a safe message.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
    return new Problem(status, 'Bad request', (error as Error).message);
  }
  return undefined;
}

/**
 * Every failure leaves as an RFC 9457 problem. Only problems meant for the client say what went wrong; anything
 * else (a DuckDB message, a bug) is logged with the request id and answered with a 500 that quotes only the id.
 */
export function problems(log: Logger): Middleware {
  return async (ctx, next) => {
    let problem: Problem;
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        problem = new Problem(404, 'Not found', `no route ${ctx.method} ${ctx.path}; see /openapi.json`);
      } else if (ctx.status === 405 && !ctx.body) {
        problem = new Problem(
          405,
          'Method not allowed',
          `${ctx.method} is not allowed on ${ctx.path}; see /openapi.json for its methods`,
        );
      } else return;
    } catch (error) {
      const known = asProblem(error);
      if (!known) log.error({ err: error, requestId: ctx.state.requestId }, 'request failed');
      else if (known.status === 503) log.warn({ err: error, requestId: ctx.state.requestId }, known.message);
      problem =
        known ??
        new Problem(
          500,
          'Internal error',
          `the request failed unexpectedly; quote request id ${ctx.state.requestId}`,
        );
    }
    ctx.status = problem.status;
    for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
    ctx.remove('ETag');
    ctx.remove('Cache-Control');
    ctx.body = problem.body(ctx.path, ctx.state.requestId as string);
    ctx.type = 'application/problem+json';
  };
}
