import { z } from 'zod';
import { probeJournal } from '../../journal/tables.js';
import { engineMemory } from '../../lake/engine.js';
import { recordEngineMemory, registry } from '../../metrics.js';
import { route } from './route.js';
import { jsonResponse, problemResponses } from './schemas.js';

export const healthz = route({
  path: '/healthz',
  operationId: 'health',
  summary: 'The process is alive',
  access: 'public',
  responses: () => ({ '200': jsonResponse('alive', z.object({ status: z.literal('ok') })) }),
  handle: async function handleHealth(ctx) {
    ctx.body = { status: 'ok' };
  },
});

/** What /readyz tells anyone who asks; the log says why (paths, hosts, the error itself). */
const NOT_READY = { keys: 'the API keys cannot be read', lake: 'the lake is not reachable' } as const;

export const readyz = route({
  path: '/readyz',
  operationId: 'ready',
  summary: 'The lake is attached, its catalog answers, and the API keys are read',
  access: 'public',
  responses: () => ({
    '200': jsonResponse('ready', z.object({ status: z.literal('ready'), snapshot: z.number().int() })),
    '503': jsonResponse(
      'not ready',
      z.object({ status: z.literal('not ready'), reason: z.enum(Object.values(NOT_READY)) }),
    ),
  }),
  handle: async function handleReady(ctx, _input, services) {
    let reason: string = NOT_READY.keys;
    try {
      // Ready only once a request with a valid key can be answered: the keys file has been read.
      await services.keys.ready();
      reason = NOT_READY.lake;
      const snapshot = await services.sessions.use(async (connection) => {
        await probeJournal(connection);
        return services.catalog.currentSnapshot(connection);
      }, 5000);
      ctx.body = { status: 'ready', snapshot };
    } catch (error) {
      services.runtime.log.warn({ err: error, requestId: ctx.state.requestId }, `not ready: ${reason}`);
      ctx.status = 503;
      ctx.body = { status: 'not ready', reason };
    }
  },
});

export const metrics = route({
  path: '/metrics',
  operationId: 'metrics',
  summary:
    'Prometheus metrics: request latency by route and status, ingest runs, quarantined records, snapshots',
  access: 'metrics',
  responses: () => ({
    '200': { description: 'Prometheus text format', content: { 'text/plain': { type: 'string' } } },
    ...problemResponses(503),
  }),
  handle: async function handleMetrics(ctx, _input, services) {
    recordEngineMemory(await services.sessions.use(engineMemory));
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  },
});
