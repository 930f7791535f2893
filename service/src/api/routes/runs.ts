import { z } from 'zod';
import { listQuarantine, QuarantinedRecord } from '../../journal/quarantine.js';
import { RUN_STATUSES, Run, RunInProgress } from '../../journal/run.js';
import { listRuns, readRun } from '../../journal/runs.js';
import { utcTimestampText } from '../../lake/time.js';
import { inProgress } from '../../pipeline/lease.js';
import { CursorParameter, checkCursor, readCursor, type SortValueCheck } from '../http/cursor.js';
import { keysetPage } from '../http/paging.js';
import { text } from '../http/parameters.js';
import { notFound } from '../http/problem.js';
import { route } from './route.js';
import { DatasetName, jsonResponse, Limit, problemResponses } from './schemas.js';

/** Runs page newest first by (started_at, run_id): a cursor carries a time and a run id. */
const RUN_ORDER: SortValueCheck[] = [
  (value) =>
    typeof value === 'string' && utcTimestampText(value) !== undefined ? undefined : `${value} is not a time`,
  (value) => (typeof value === 'string' ? undefined : `${value} is not a run id`),
];

export const runs = route({
  path: '/v1/runs',
  operationId: 'listRuns',
  summary: 'Ingest runs, newest first, with what each did with the records it received',
  access: 'read',
  query: z.object({
    dataset: DatasetName.optional().describe('only runs of this dataset'),
    status: z.enum(RUN_STATUSES).optional().describe('only runs with this outcome'),
    limit: Limit,
    cursor: CursorParameter,
  }),
  responses: () => ({
    '200': {
      ...jsonResponse(
        'the runs',
        z.object({
          data: z.array(Run),
          running: z
            .array(RunInProgress)
            .describe(
              'runs under way now on any replica, newest first (of the dataset asked for); on the first page without a status filter only',
            ),
          next: z
            .string()
            .nullable()
            .describe('cursor of the next page, null on the last: send it as `cursor` with the same filters'),
        }),
      ),
      links: {
        firstRun: {
          operationId: 'getRun',
          description: 'the newest run of the page',
          parameters: { id: '$response.body#/data/0/run_id' },
        },
      },
    },
    ...problemResponses(404, 503),
  }),
  handle: async function handleListRuns(ctx, { query }, services) {
    if (query.dataset) services.runtime.dataset(query.dataset);
    const limit = query.limit ?? 100;
    const identity = `runs:${query.dataset ?? ''}:${query.status ?? ''}`;
    const cursor =
      query.cursor === undefined ? undefined : checkCursor(readCursor(query.cursor), identity, RUN_ORDER);
    const found = await services.sessions.use(
      (connection) =>
        listRuns(connection, {
          dataset: query.dataset,
          status: query.status,
          after: cursor && { startedAt: String(cursor.after[0]), runId: String(cursor.after[1]) },
          limit: limit + 1,
        }),
      services.settings.requestTimeoutMs,
    );
    const running =
      cursor || query.status
        ? []
        : (await services.runtime.leases.runsUnderWay())
            .filter((r) => !query.dataset || r.dataset === query.dataset)
            .map(inProgress);
    ctx.body = {
      ...keysetPage(found, limit, (last) => ({
        snapshot: 0,
        after: [last.started_at, last.run_id],
        query: identity,
      })),
      running,
    };
  },
});

export const run = route({
  path: '/v1/runs/:id',
  operationId: 'getRun',
  summary: 'One run: what it did, or that it is still under way on any replica',
  access: 'read',
  params: z.object({ id: text(200) }),
  responses: () => ({
    '200': jsonResponse('the run', z.union([Run, RunInProgress])),
    ...problemResponses(404, 503),
  }),
  handle: async function handleGetRun(ctx, { params }, services) {
    // A run started here shows as running until it has let go of its dataset, so a client that follows its
    // Location and starts the next run is never refused by the run it just saw end. A run of another replica (or
    // of this one's scheduler) is running while it holds its dataset's writer lease; the journal is asked again
    // after the lease, since a run records its outcome before it lets go.
    const recorded = () =>
      services.sessions.use(
        (connection) => readRun(connection, params.id),
        services.settings.requestTimeoutMs,
      );
    const found =
      services.operations.inProgress(params.id) ??
      (await recorded()) ??
      (await services.runtime.leases
        .runsUnderWay()
        .then((all) => all.find((r) => r.run_id === params.id))
        .then((r) => r && inProgress(r))) ??
      (await recorded());
    if (!found) throw notFound(`no run ${params.id}`);
    ctx.body = found;
  },
});

export const quarantine = route({
  path: '/v1/datasets/:name/quarantine',
  operationId: 'listQuarantine',
  summary: 'Records the dataset’s runs quarantined, with the reason and the record as received (admin keys)',
  access: 'admin',
  params: z.object({ name: DatasetName }),
  query: z.object({
    run: text(200).optional().describe('only records of this run'),
    all: z.enum(['true', 'false']).optional().describe('also records already re-driven'),
    limit: Limit,
  }),
  responses: () => ({
    '200': jsonResponse(
      'the quarantined records, oldest first',
      z.object({ data: z.array(QuarantinedRecord) }),
    ),
    ...problemResponses(404, 503),
  }),
  handle: async function handleListQuarantine(ctx, { params, query }, services) {
    const dataset = services.runtime.dataset(params.name);
    ctx.body = {
      data: await services.sessions.use(
        (connection) =>
          listQuarantine(connection, dataset.name, {
            runId: query.run,
            includeReplayed: query.all === 'true',
            limit: query.limit ?? 100,
          }),
        services.settings.requestTimeoutMs,
      ),
    };
  },
});
