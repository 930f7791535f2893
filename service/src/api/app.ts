import { readFileSync } from 'node:fs';
import { METHODS } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import cors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import { KeyStore } from '../access/keys.js';
import type { AccessSettings, ApiSettings } from '../config/config.js';
import { OperatorRuns } from '../runs/operatorRuns.js';
import type { Runtime } from '../runtime.js';
import { SERVICE_ROOT } from '../serviceRoot.js';
import { ServingCopies } from '../serving/copies.js';
import { CatalogCache } from './http/catalogCache.js';
import { ResponseCache } from './http/responseCache.js';
import { ReadSessions } from './http/sessions.js';
import { allow, requireKeyUnder } from './middleware/access.js';
import { requestLimits } from './middleware/limits.js';
import { problems } from './middleware/problems.js';
import { requestContext } from './middleware/requestContext.js';
import { Exports } from './records/exports.js';
import { consoleAsset, consolePage } from './routes/console.js';
import { dataset, datasets } from './routes/datasets.js';
import { docs, docsAsset } from './routes/docs.js';
import { healthz, metrics, readyz } from './routes/health.js';
import { currentKey } from './routes/key.js';
import { openApiRoute } from './routes/openapi.js';
import { replayQuarantineRun, startIngestRun } from './routes/operations.js';
import { record, records } from './routes/records.js';
import type { Route, Services } from './routes/route.js';
import { validateInput } from './routes/route.js';
import { quarantine, run, runs } from './routes/runs.js';
import { changes, snapshots } from './routes/snapshots.js';

const version = (
  JSON.parse(readFileSync(path.join(SERVICE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

export interface Api {
  app: Koa;
  /** The router, for tests that walk every route. */
  router: Router;
  routes: readonly Route[];
  /** Waits for the runs operators started through the API and copies being built; the server calls it before closing the lake. */
  drain(): Promise<void>;
  /** The serving copies, for readiness checks and tests that wait for a copy to be built. */
  serving: ServingCopies;
  close(): void;
}

/** Settings other than the runtime's own configuration (tests serve one lake with several). */
export interface ApiOptions {
  settings?: ApiSettings;
  access?: AccessSettings;
}

/**
 * The HTTP face of the service. Middleware runs in this order: request id and access log, problem responses,
 * security headers, CORS (only if configured), size limits, API keys for /v1 (with their rate limits), routes.
 */
export function createApi(runtime: Runtime, options: ApiOptions = {}): Api {
  const settings = options.settings ?? runtime.config.api;
  const access = options.access ?? runtime.config.access;
  const keys = new KeyStore(access.keysFile);
  const limiter = runtime.rateLimiter;
  const services: Services = {
    runtime,
    sessions: new ReadSessions(runtime.lake, settings.sessions, settings.requestTimeoutMs),
    exports: new Exports({
      slots: Math.max(1, settings.sessions - 1),
      folder: os.tmpdir(),
      spaceBytes: settings.exportSpaceMegabytes * 2 ** 20,
      idleMs: settings.exportIdleMs,
      timeoutMs: settings.exportTimeoutMs,
      maxWaitMs: settings.requestTimeoutMs,
    }),
    catalog: new CatalogCache(),
    serving: new ServingCopies(runtime.lake, settings.servingMegabytes, runtime.log),
    responses: new ResponseCache(settings.cacheMegabytes * 2 ** 20),
    operations: new OperatorRuns(runtime),
    keys,
    settings,
  };

  const routes: Route[] = [
    healthz,
    readyz,
    metrics,
    docs,
    docsAsset,
    consolePage,
    consoleAsset,
    currentKey,
    datasets,
    dataset,
    records,
    record,
    snapshots,
    changes,
    runs,
    run,
    quarantine,
    startIngestRun,
    replayQuarantineRun,
  ] as Route[];
  routes.push(openApiRoute(() => routes, version));

  // Every method Node parses is one the router knows, so a path answers one it does not serve with 405 and Allow.
  const router = new Router({ methods: METHODS });
  for (const r of routes) {
    const method = r.method === 'POST' ? 'post' : 'get';
    router[method](r.path, allow(r.access, settings.metricsPublic, keys, limiter, access), async (ctx) => {
      const input = validateInput(r, ctx);
      await r.handle(ctx, input as Parameters<Route['handle']>[1], services);
    });
  }

  const app = new Koa();
  // A response that fails once it has started (its client went away, or was cut off) can no longer become a
  // problem response: it is logged, as one line like any other, instead of Koa's stack trace on stderr.
  app.on('error', (error: Error, ctx?: Koa.Context) =>
    runtime.log.warn(
      { err: error, requestId: ctx?.state.requestId },
      `response ended early: ${error.message}`,
    ),
  );
  app.use(requestContext(runtime.log));
  app.use(problems(runtime.log));
  app.use(helmet());
  if (settings.corsOrigins.length) {
    app.use(
      cors({
        origin: (ctx) => (settings.corsOrigins.includes(ctx.get('Origin')) ? ctx.get('Origin') : ''),
        allowMethods: ['GET', 'HEAD', 'POST'],
        allowHeaders: ['Authorization', 'X-API-Key', 'If-None-Match'],
        exposeHeaders: [
          'ETag',
          'X-Request-Id',
          'ODP-Snapshot',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
          'Retry-After',
        ],
      }),
    );
  }
  app.use(requestLimits(settings.maxQueryBytes, settings.maxBodyBytes));
  app.use(requireKeyUnder('/v1', keys, limiter, access));
  app.use(router.routes()).use(router.allowedMethods());
  return {
    app,
    router,
    routes,
    drain: async () => {
      await services.operations.drain();
      await services.serving.settled();
    },
    serving: services.serving,
    close: () => {
      services.serving.close();
      services.sessions.close();
    },
  };
}
