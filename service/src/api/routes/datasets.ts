import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import { quarantineCount } from '../../journal/quarantine.js';
import { Run } from '../../journal/run.js';
import { lastChange, listRuns } from '../../journal/runs.js';
import { rowCountAt } from '../../lake/snapshots.js';
import type { ColumnInfo } from '../http/catalogCache.js';
import { answerFromCache } from '../http/conditional.js';
import { Problem } from '../http/problem.js';
import { route, type Services } from './route.js';
import { DatasetName, HEADERS, jsonResponse, NOT_MODIFIED, problemResponses } from './schemas.js';

const Column = z.object({
  name: z.string(),
  type: z.string(),
  nullable: z.boolean(),
  description: z.string().optional(),
});

const DatasetSummary = z.object({
  name: z.string(),
  description: z.string().optional(),
  key: z.array(z.string()),
  version: z.string().optional(),
  schedule: z.string(),
  sortedBy: z
    .array(z.string())
    .optional()
    .describe(
      'the order the lake keeps the files in: reads filtered on these columns, first one first, are the fast ones',
    ),
  columns: z.array(Column),
  rows: z.number().int().describe('records at the current snapshot'),
  snapshot: z.number().int().nullable().describe('the snapshot of the latest run that changed the dataset'),
  quarantined: z.number().int().describe('quarantined records waiting for a re-drive'),
  lastRun: Run.nullable(),
});
type DatasetSummary = z.infer<typeof DatasetSummary>;

async function summary(
  connection: DuckDBConnection,
  services: Services,
  dataset: Dataset,
  current: number,
): Promise<DatasetSummary> {
  let columns: ColumnInfo[];
  let count = 0;
  try {
    columns = [...(await services.catalog.schema(connection, dataset, current)).values()];
    count = await rowCountAt(connection, dataset.name, current);
  } catch (error) {
    if (!(error instanceof Problem && error.status === 404)) throw error;
    // Not ingested yet: the declared columns, no rows.
    columns = dataset.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: !c.required,
      description: c.description,
    }));
  }
  const [last] = await listRuns(connection, { dataset: dataset.name, limit: 1 });
  const changed = await lastChange(connection, dataset.name);
  return {
    name: dataset.name,
    ...(dataset.description ? { description: dataset.description } : {}),
    key: dataset.key,
    ...(dataset.version ? { version: dataset.version } : {}),
    schedule: dataset.schedule,
    ...(dataset.sortedBy ? { sortedBy: dataset.sortedBy } : {}),
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      ...(c.description ? { description: c.description } : {}),
    })),
    rows: count,
    snapshot: changed,
    quarantined: await quarantineCount(connection, dataset.name),
    lastRun: last ?? null,
  };
}

export const datasets = route({
  path: '/v1/datasets',
  operationId: 'listDatasets',
  summary: 'Every declared dataset with its schema, row count, current snapshot and last run',
  access: 'read',
  responses: () => ({
    '200': {
      ...jsonResponse(
        'the datasets',
        z.object({ data: z.array(DatasetSummary), snapshot: z.number().int() }),
      ),
      headers: { ETag: HEADERS.ETag },
      links: {
        firstDataset: {
          operationId: 'getDataset',
          description: 'the first dataset, by name',
          parameters: { name: '$response.body#/data/0/name' },
        },
      },
    },
    '304': NOT_MODIFIED,
    ...problemResponses(503),
  }),
  handle: async function handleListDatasets(ctx, _input, services) {
    await services.sessions.use(async (connection) => {
      const snapshot = await services.catalog.currentSnapshot(connection);
      if (answerFromCache(ctx, ['datasets', snapshot], false)) return;
      const data: DatasetSummary[] = [];
      for (const d of services.runtime.datasets.values())
        data.push(await summary(connection, services, d, snapshot));
      ctx.body = { data, snapshot };
    }, services.settings.requestTimeoutMs);
  },
});

export const dataset = route({
  path: '/v1/datasets/:name',
  operationId: 'getDataset',
  summary: 'One dataset: its schema, row count, current snapshot and last run',
  access: 'read',
  params: z.object({ name: DatasetName }),
  responses: () => ({
    '200': {
      ...jsonResponse('the dataset', DatasetSummary),
      headers: { ETag: HEADERS.ETag },
      links: {
        snapshots: {
          operationId: 'listSnapshots',
          description: 'the snapshots in which runs changed the dataset',
          parameters: { name: '$response.body#/name' },
        },
        runs: {
          operationId: 'listRuns',
          description: 'the dataset’s runs',
          parameters: { dataset: '$response.body#/name' },
        },
      },
    },
    '304': NOT_MODIFIED,
    ...problemResponses(404, 503),
  }),
  handle: async function handleGetDataset(ctx, { params }, services) {
    const d = services.runtime.dataset(params.name);
    await services.sessions.use(async (connection) => {
      const snapshot = await services.catalog.currentSnapshot(connection);
      if (answerFromCache(ctx, ['dataset', d.name, snapshot], false)) return;
      ctx.body = await summary(connection, services, d, snapshot);
    }, services.settings.requestTimeoutMs);
  },
});
