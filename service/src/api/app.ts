import Router from '@koa/router';
import Koa from 'koa';
import type { Lake } from '../lake/lake.js';
import { registry } from '../metrics.js';

/** The HTTP face of the service: health, readiness and metrics. */
export function createApp(lake: Lake): Koa {
  const app = new Koa();
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    try {
      await lake.session((connection) => connection.run('SELECT count(*) FROM lake.odp.runs WHERE false'));
      ctx.body = { status: 'ready' };
    } catch (error) {
      ctx.status = 503;
      ctx.body = { status: 'not ready', reason: error instanceof Error ? error.message : String(error) };
    }
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });

  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
