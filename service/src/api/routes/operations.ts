import type { Context } from 'koa';
import { z } from 'zod';
import { RunInProgress } from '../../journal/run.js';
import type { RunRequest } from '../../runs/start.js';
import { text } from '../http/parameters.js';
import type { Services } from './route.js';
import { route } from './route.js';
import { DatasetName, HEADERS, jsonResponse, problemResponses } from './schemas.js';

const startResponses = () => ({
  '202': {
    ...jsonResponse('the run started; Location is where its outcome will be', RunInProgress),
    headers: { Location: { ...HEADERS.Location, required: true } },
    links: {
      outcome: {
        operationId: 'getRun',
        description: 'the run: under way, then what it did',
        parameters: { id: '$response.body#/run_id' },
      },
    },
  },
  ...problemResponses(404, 409, 503),
});

/** Starts the run in this process, answers 202 with its Location, and writes who started what to the log. */
async function startRun(
  ctx: Context,
  services: Services,
  request: RunRequest,
  action: string,
): Promise<void> {
  const started = await services.operations.start(request);
  services.runtime.log.info(
    {
      audit: {
        action,
        dataset: started.dataset,
        runId: started.run_id,
        key: (ctx.state.apiKey as { id: string } | undefined)?.id ?? null,
        requestId: ctx.state.requestId,
      },
    },
    `${action} ${started.dataset}: run ${started.run_id}`,
  );
  ctx.status = 202;
  ctx.set('Location', `/v1/runs/${encodeURIComponent(started.run_id)}`);
  ctx.body = started;
}

export const startIngestRun = route({
  path: '/v1/datasets/:name/runs',
  method: 'POST',
  operationId: 'startRun',
  summary: 'Start a run of the dataset from its source now, in this server (admin keys)',
  description:
    'Answers 202 as soon as the run holds the dataset’s writer lease, with its id and a Location to follow; ' +
    '409 with the holder’s run id while another run of the dataset is under way.',
  access: 'admin',
  params: z.object({ name: DatasetName }),
  responses: startResponses,
  handle: async function handleStartRun(ctx, { params }, services) {
    await startRun(ctx, services, { trigger: 'manual', dataset: params.name }, 'run.start');
  },
});

export const replayQuarantineRun = route({
  path: '/v1/datasets/:name/quarantine/replay',
  method: 'POST',
  operationId: 'replayQuarantine',
  summary:
    'Re-drive the dataset’s quarantined records through its current definition, in this server (admin keys)',
  description:
    'Records that now pass are stored; those that still fail are quarantined again by the new run. Answers like ' +
    '`startRun`.',
  access: 'admin',
  params: z.object({ name: DatasetName }),
  query: z.object({ run: text(200).optional().describe('only records of this run') }),
  responses: startResponses,
  handle: async function handleReplayQuarantine(ctx, { params, query }, services) {
    const request = { trigger: 'quarantine-replay' as const, dataset: params.name, run: query.run };
    await startRun(ctx, services, request, 'quarantine.replay');
  },
});
