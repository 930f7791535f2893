import { z } from 'zod';
import { type DatasetSnapshot, datasetSnapshots } from '../../journal/runs.js';
import { answerFromCache } from '../http/conditional.js';
import { CursorParameter, checkCursor, invalidCursor, readCursor } from '../http/cursor.js';
import { keysetPage } from '../http/paging.js';
import { wholeNumber } from '../http/parameters.js';
import { notFound, Problem } from '../http/problem.js';
import { CHANGE_ORDER, changesSql, readChanges } from '../records/changes.js';
import { route } from './route.js';
import { DatasetName, HEADERS, jsonResponse, Limit, NOT_MODIFIED, problemResponses } from './schemas.js';

const SnapshotId = wholeNumber(0, 10 ** 15 - 1);

const Snapshot = z.object({
  snapshot_id: z.number().int(),
  snapshot_time: z.string(),
  commit_message: z.string().nullable(),
  run_id: z.string(),
  trigger: z.string(),
  inserted: z.number().int(),
  updated: z.number().int(),
  quarantined: z.number().int(),
}) satisfies z.ZodType<DatasetSnapshot>;

export const snapshots = route({
  path: '/v1/datasets/:name/snapshots',
  operationId: 'listSnapshots',
  summary: 'The snapshots in which ingest runs changed the dataset, newest first: the points `asOf` can read',
  access: 'read',
  params: z.object({ name: DatasetName }),
  query: z.object({
    limit: Limit,
    before: SnapshotId.optional().describe('only snapshots older than this one (paging)'),
  }),
  responses: () => ({
    '200': {
      ...jsonResponse('the snapshots', z.object({ data: z.array(Snapshot) })),
      links: {
        changes: {
          operationId: 'listChanges',
          description: 'what the newest of these snapshots changed',
          parameters: { name: '$request.path.name', from: '$response.body#/data/0/snapshot_id' },
        },
      },
    },
    ...problemResponses(404, 503),
  }),
  handle: async function handleListSnapshots(ctx, { params, query }, services) {
    const dataset = services.runtime.dataset(params.name);
    ctx.body = {
      data: await services.sessions.use(
        (connection) =>
          datasetSnapshots(connection, dataset.name, { before: query.before, limit: query.limit ?? 100 }),
        services.settings.requestTimeoutMs,
      ),
    };
  },
});

export const changes = route({
  path: '/v1/datasets/:name/changes',
  operationId: 'listChanges',
  summary:
    'The change feed between two snapshots (inclusive): inserts, updates (pre- and post-image), deletes',
  description:
    'Pages carry `next` while the range has more changes. To follow the feed, call again with `from` set to the ' +
    'last `to` plus one.',
  access: 'read',
  params: z.object({ name: DatasetName }),
  query: z.object({
    from: SnapshotId.describe('first snapshot of the range'),
    to: SnapshotId.optional().describe('last snapshot of the range (default: the current one)'),
    limit: Limit,
    cursor: CursorParameter,
  }),
  responses: () => ({
    '200': {
      headers: { ETag: HEADERS.ETag, 'ODP-Snapshot': HEADERS.Snapshot },
      links: {
        nextPage: {
          operationId: 'listChanges',
          description: 'the next page of the same range: `cursor` set to this page’s `next`',
          parameters: {
            name: '$request.path.name',
            from: '$request.query.from',
            cursor: '$response.body#/next',
          },
        },
      },
      ...jsonResponse(
        'the changes, ordered by snapshot, row and change; none when `from` is after `to`',
        z.object({
          from: z.number().int(),
          to: z.number().int(),
          data: z.array(
            z.looseObject({
              snapshot_id: z.number().int(),
              rowid: z.number().int(),
              change_type: z.enum(['insert', 'delete', 'update_preimage', 'update_postimage']),
            }),
          ),
          next: z.string().nullable(),
        }),
      ),
    },
    '304': NOT_MODIFIED,
    ...problemResponses(404, 503),
  }),
  handle: async function handleListChanges(ctx, { params, query }, services) {
    const dataset = services.runtime.dataset(params.name);
    const limit = query.limit ?? 100;
    const identity = `changes:${dataset.name}:${query.from}`;
    const cursor =
      query.cursor === undefined ? undefined : checkCursor(readCursor(query.cursor), identity, CHANGE_ORDER);
    await services.sessions.use(async (connection) => {
      const current = await services.catalog.currentSnapshot(connection);
      if (cursor && (cursor.snapshot > current || cursor.snapshot < query.from)) {
        throw invalidCursor(`ends at snapshot ${cursor.snapshot}, outside ${query.from}–${current}`);
      }
      const to = cursor?.snapshot ?? query.to ?? current;
      if (to > current)
        throw notFound(`to: the lake has no snapshot ${to} yet (the current one is ${current})`);
      if (query.from > to) {
        // An empty range: nothing changed in it.
        ctx.set('ODP-Snapshot', String(to));
        ctx.body = { from: query.from, to, data: [], next: null };
        return;
      }
      if (
        answerFromCache(
          ctx,
          [identity, to, limit, query.cursor ?? ''],
          cursor !== undefined || query.to !== undefined,
        )
      )
        return;
      const notIngested = () =>
        notFound(`${dataset.name} has no changes up to snapshot ${to}: it was not ingested by then`);
      const schema = await services.catalog.schema(connection, dataset, to).catch((error: unknown) => {
        throw error instanceof Problem && error.status === 404 ? notIngested() : error;
      });
      const range = { from: query.from, to };
      const statement = changesSql(dataset.name, [...schema.values()], range, cursor?.after, limit);
      const found = await readChanges(connection, statement);
      if (!found) throw notIngested();
      const page = keysetPage(found, limit, (last) => ({ snapshot: to, after: last.after, query: identity }));
      ctx.set('ODP-Snapshot', String(to));
      ctx.body = { from: query.from, to, data: page.data.map((c) => c.change), next: page.next };
    }, services.settings.requestTimeoutMs);
  },
});
