import { z } from 'zod';
import { listQuarantine } from '../../journal/quarantine.js';
import { LAKE } from '../../lake/attach.js';
import { rows } from '../../lake/query.js';
import { checkCursor, encodeCursor, readCursor } from '../cursor.js';
import { RUN_COLUMNS, Run } from './datasets.js';
import { route } from './route.js';
import { DatasetName, jsonResponse, Limit, problemResponses } from './schemas.js';

export const runs = route({
  path: '/v1/runs',
  operationId: 'listRuns',
  summary: 'Ingest runs, newest first, with what each did with the records it received',
  access: 'read',
  query: z.object({
    dataset: DatasetName.optional().describe('only runs of this dataset'),
    status: z
      .enum(['succeeded', 'failed', 'not-modified'])
      .optional()
      .describe('only runs with this outcome'),
    limit: Limit,
    cursor: z.string().optional().describe('the `next` value of the previous page'),
  }),
  responses: () => ({
    '200': jsonResponse('the runs', z.object({ data: z.array(Run), next: z.string().nullable() })),
    ...problemResponses(400, 401, 403, 429, 503),
  }),
  handle: async (ctx, { query }, services) => {
    if (query.dataset) services.runtime.dataset(query.dataset);
    const limit = query.limit ?? 100;
    const identity = `runs:${query.dataset ?? ''}:${query.status ?? ''}`;
    const cursor =
      query.cursor === undefined ? undefined : checkCursor(readCursor(query.cursor), identity, 2);
    const where = ['true'];
    const params: string[] = [];
    if (query.dataset) {
      where.push('r.dataset = ?');
      params.push(query.dataset);
    }
    if (query.status) {
      where.push('r.status = ?');
      params.push(query.status);
    }
    if (cursor) {
      where.push(
        '(r.started_at < CAST(? AS TIMESTAMPTZ) OR (r.started_at = CAST(? AS TIMESTAMPTZ) AND r.run_id < ?))',
      );
      params.push(String(cursor.after[0]), String(cursor.after[0]), String(cursor.after[1]));
    }
    const found = await services.sessions.use(
      (connection) =>
        rows(
          connection,
          `SELECT ${RUN_COLUMNS} FROM ${LAKE}.odp.runs r WHERE ${where.join(' AND ')}
           ORDER BY r.started_at DESC, r.run_id DESC LIMIT ${limit + 1}`,
          params,
        ),
      services.settings.requestTimeoutMs,
    );
    const data = found.slice(0, limit);
    const last = data.at(-1);
    ctx.body = {
      data,
      next:
        found.length > limit && last
          ? encodeCursor({
              snapshot: 0,
              after: [last.started_at as string, last.run_id as string],
              query: identity,
            })
          : null,
    };
  },
});

const Quarantined = z.object({
  dataset: z.string(),
  run_id: z.string(),
  record_no: z.union([z.number(), z.string()]),
  raw: z.string().nullable().describe('the record as received'),
  reason: z.string(),
  codes: z.array(z.string()),
  quarantined_at: z.string(),
  replayed_by: z.string().nullable().describe('the run that re-drove the record, if any'),
});

export const quarantine = route({
  path: '/v1/datasets/:name/quarantine',
  operationId: 'listQuarantine',
  summary: 'Records the dataset’s runs quarantined, with the reason and the record as received (admin keys)',
  access: 'admin',
  params: z.object({ name: DatasetName }),
  query: z.object({
    run: z.string().max(200).optional().describe('only records of this run'),
    all: z.enum(['true', 'false']).optional().describe('also records already re-driven'),
    limit: Limit,
  }),
  responses: () => ({
    '200': jsonResponse('the quarantined records, oldest first', z.object({ data: z.array(Quarantined) })),
    ...problemResponses(400, 401, 403, 404, 429, 503),
  }),
  handle: async (ctx, { params, query }, services) => {
    const dataset = services.runtime.dataset(params.name);
    ctx.body = {
      data: await listQuarantine(services.runtime, dataset.name, {
        runId: query.run,
        includeReplayed: query.all === 'true',
        limit: query.limit ?? 100,
      }),
    };
  },
});
