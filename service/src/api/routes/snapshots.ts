import { z } from 'zod';
import { messageOf } from '../../errors.js';
import { type DatasetSnapshot, datasetSnapshots } from '../../journal/runs.js';
import { LAKE } from '../../lake/attach.js';
import { type Row, rows } from '../../lake/query.js';
import { ident, literal } from '../../lake/quote.js';
import { snapshotSql } from '../../lake/snapshots.js';
import { answerFromCache } from '../http/conditional.js';
import { checkCursor, encodeCursor, invalidCursor, readCursor, wholeNumber } from '../http/cursor.js';
import { badRequest, notFound, Problem } from '../http/problem.js';
import { kindOf, outputSql } from '../records/values.js';
import { route } from './route.js';
import { DatasetName, jsonResponse, Limit, problemResponses } from './schemas.js';

const SnapshotId = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a snapshot id (a whole number)')
  .transform(Number);

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
    '200': jsonResponse('the snapshots', z.object({ data: z.array(Snapshot) })),
    ...problemResponses(400, 401, 403, 404, 429, 503),
  }),
  handle: async (ctx, { params, query }, services) => {
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

const CHANGE_RANK = `CASE change_type WHEN 'delete' THEN 0 WHEN 'update_preimage' THEN 1 WHEN 'update_postimage' THEN 2 ELSE 3 END`;

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
    cursor: z.string().optional().describe('the `next` value of the previous page'),
  }),
  responses: () => ({
    '200': jsonResponse(
      'the changes, ordered by snapshot, row and change',
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
    '304': { description: 'not modified' },
    ...problemResponses(400, 401, 403, 404, 429, 503),
  }),
  handle: async (ctx, { params, query }, services) => {
    const dataset = services.runtime.dataset(params.name);
    const limit = query.limit ?? 100;
    const identity = `changes:${dataset.name}:${query.from}`;
    const cursor =
      query.cursor === undefined
        ? undefined
        : checkCursor(readCursor(query.cursor), identity, [wholeNumber(0), wholeNumber(0), wholeNumber(0)]);
    await services.sessions.use(async (connection) => {
      const current = await services.catalog.currentSnapshot(connection);
      if (cursor && (cursor.snapshot > current || cursor.snapshot < query.from)) {
        throw invalidCursor(`ends at snapshot ${cursor.snapshot}, outside ${query.from}–${current}`);
      }
      const to = cursor?.snapshot ?? query.to ?? current;
      if (to > current)
        throw notFound(`to: the lake has no snapshot ${to} yet (the current one is ${current})`);
      if (query.from > to) {
        throw badRequest(`from (${query.from}) is after to (${to})`, [
          { parameter: 'from', message: 'must not be after to' },
        ]);
      }
      if (
        answerFromCache(
          ctx,
          [identity, to, limit, query.cursor ?? ''],
          cursor !== undefined || query.to !== undefined,
        )
      )
        return;
      const after = cursor?.after.map(String) ?? [];
      const keyset = cursor
        ? `WHERE snapshot_id > CAST(? AS BIGINT) OR (snapshot_id = CAST(? AS BIGINT) AND (rowid > CAST(? AS BIGINT)
             OR (rowid = CAST(? AS BIGINT) AND _odp_rank > CAST(? AS INTEGER))))`
        : '';
      const keysetParams = cursor ? [after[0]!, after[0]!, after[1]!, after[1]!, after[2]!] : [];
      const notIngested = () =>
        notFound(`${dataset.name} has no changes up to snapshot ${to}: it was not ingested by then`);
      const schema = await services.catalog.schema(connection, dataset, to).catch((error: unknown) => {
        throw error instanceof Problem && error.status === 404 ? notIngested() : error;
      });
      const times = [...schema.values()]
        .filter((c) => kindOf(c) === 'timestamp')
        .map((c) => `, ${outputSql(c, 'json')}`);
      // An update that only refreshed the stored content hash (see pipeline/screen.ts) changed nothing a client
      // sees: its before and after images are equal, and it is left out.
      const columns = [...schema.keys()].map(ident).join(', ');
      let found: Row[];
      try {
        found = await rows(
          connection,
          `SELECT * REPLACE (snapshot_id::DOUBLE AS snapshot_id, rowid::DOUBLE AS rowid${times.join('')}) FROM (
             SELECT snapshot_id, rowid, change_type, ${columns}, ${CHANGE_RANK} AS _odp_rank
             FROM ${LAKE}.table_changes(${literal(dataset.name)}, ${snapshotSql(query.from)}, ${snapshotSql(to)})
             WINDOW pair AS (PARTITION BY snapshot_id, rowid)
             QUALIFY change_type NOT LIKE 'update%'
                  OR min(row(${columns})) OVER pair IS DISTINCT FROM max(row(${columns})) OVER pair)
           ${keyset} ORDER BY snapshot_id, rowid, _odp_rank LIMIT ${limit + 1}`,
          keysetParams,
        );
      } catch (error) {
        if (/does not exist|not found/i.test(messageOf(error))) throw notIngested();
        throw error;
      }
      const data = found.slice(0, limit);
      const last = data.at(-1);
      const next =
        found.length > limit && last
          ? encodeCursor({
              snapshot: to,
              after: [last.snapshot_id as number, last.rowid as number, last._odp_rank as number],
              query: identity,
            })
          : null;
      for (const row of data) delete row._odp_rank;
      ctx.set('ODP-Snapshot', String(to));
      ctx.body = { from: query.from, to, data, next };
    }, services.settings.requestTimeoutMs);
  },
});
