import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { Histogram } from 'prom-client';
import { type Logger, loggedQuery } from '../../log.js';
import { registry } from '../../metrics.js';

const latency = new Histogram({
  name: 'odp_http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const CLIENT_CLOSED = 499;

/** A client may bring its own request id (for tracing across services); anything odd is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (returned as `X-Request-Id`), and when the response is done writes one JSON access-log
 * line and observes its latency under the route's template, so metrics do not explode with dataset or key values.
 */
export function requestContext(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const presented = ctx.get('X-Request-Id');
    const id = REQUEST_ID.test(presented) ? presented : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    ctx.res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = (ctx._matchedRoute as string | undefined) ?? 'unmatched';
      // A client that left before any answer was sent got none: 499 (as nginx logs it), not Koa's default 404.
      const status = ctx.res.headersSent ? ctx.status : CLIENT_CLOSED;
      latency.observe({ method: ctx.method, route, status: String(status) }, seconds);
      log.info(
        {
          requestId: id,
          method: ctx.method,
          path: ctx.path,
          query: loggedQuery(ctx.querystring),
          route,
          status,
          ms: Math.round(seconds * 10_000) / 10,
          bytes: ctx.response.length ?? null,
          key: (ctx.state.apiKey as { id: string } | undefined)?.id ?? null,
          aborted: !ctx.res.writableFinished,
        },
        'request',
      );
    });
    await next();
  };
}
