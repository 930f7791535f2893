import { z } from 'zod';
import type { Dataset } from '../../datasets/definition.js';
import type { JsonSchema } from '../http/parameters.js';
import { asDocumented } from '../http/parameters.js';
import type { Access } from '../middleware/access.js';
import type { Link, Response, Route } from './route.js';
import { problemResponses } from './schemas.js';

type Parameter = {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
};

function parameters(
  schema: z.ZodObject | undefined,
  place: 'path' | 'query',
  omit: string[],
  forDataset: Record<string, JsonSchema>,
): Parameter[] {
  if (!schema) return [];
  return Object.entries(schema.shape)
    .filter(([name]) => !omit.includes(name))
    .map(([name, field]) => {
      const {
        description,
        $schema: _,
        ...json
      } = z.toJSONSchema(field as z.ZodType, {
        io: 'input',
        unrepresentable: 'any',
        override: (ctx) => {
          const documented = asDocumented.get(ctx.zodSchema as unknown as z.ZodType);
          if (!documented) return;
          for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
          Object.assign(ctx.jsonSchema, documented);
        },
      }) as JsonSchema & { description?: string; $schema?: string };
      return {
        name,
        in: place,
        required: place === 'path' || !(field as z.ZodType).safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: forDataset[name] ?? json,
      };
    });
}

const SECURITY = [{ bearer: [] }, { apiKey: [] }];

/**
 * What any operation may answer before its handler runs: 400 for a NUL character or an unknown parameter, 413 and
 * 414 for oversized requests (see `requestLimits`), and for keyed routes 401 and 429, and 403 where the key's
 * scope may fall short.
 */
function gateResponses(scope: Access | 'public'): Record<string, Response> {
  const keyed = scope !== 'public';
  return problemResponses(400, 413, 414, ...(keyed ? [401, 429] : []), ...(scope === 'admin' ? [403] : []));
}

function operation(
  r: Route,
  dataset: Dataset | undefined,
  metricsPublic: boolean,
  perDataset: ReadonlySet<string>,
): Record<string, unknown> {
  const extra = dataset && r.extraQuery ? r.extraQuery(dataset) : [];
  const forDataset = dataset && r.documentedFor ? r.documentedFor(dataset) : {};
  const scope = r.access === 'metrics' ? (metricsPublic ? 'public' : 'admin') : r.access;
  const responses = { ...gateResponses(scope), ...r.responses(dataset) };
  return {
    operationId: dataset ? `${r.operationId}_${dataset.name}` : r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    ...(dataset ? { tags: [dataset.name] } : {}),
    parameters: [
      ...parameters(r.params, 'path', dataset ? ['name'] : [], forDataset),
      ...parameters(r.query, 'query', [], forDataset),
      ...extra.map((e) => ({
        name: e.name,
        in: 'query',
        required: false,
        description: e.description,
        schema: e.schema,
      })),
    ],
    security: scope === 'public' ? [] : SECURITY,
    'x-odp-scope': scope,
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.headers ? { headers: response.headers } : {}),
            ...(response.content
              ? {
                  content: Object.fromEntries(
                    Object.entries(response.content).map(([type, schema]) => [type, { schema }]),
                  ),
                }
              : {}),
            ...(response.links ? { links: linksFor(response.links, dataset, perDataset) } : {}),
          },
        ]),
    ),
  };
}

/** A link's target is named as declared; a per-dataset operation is documented under `<id>_<dataset>`. */
function linksFor(
  links: Record<string, Link>,
  dataset: Dataset | undefined,
  perDataset: ReadonlySet<string>,
): Record<string, Link> {
  const target = (id: string) => (dataset && perDataset.has(id) ? `${id}_${dataset.name}` : id);
  return Object.fromEntries(
    Object.entries(links).map(([name, link]) => [name, { ...link, operationId: target(link.operationId) }]),
  );
}

/** `/v1/datasets/:name/records` → `/v1/datasets/{name}/records` (or the dataset's own path). */
const openApiPath = (koaPath: string, dataset: Dataset | undefined): string =>
  koaPath.replace(/:(\w+)/g, (_, name: string) => (name === 'name' && dataset ? dataset.name : `{${name}}`));

/**
 * The OpenAPI 3.1 document, generated from the same route declarations the router serves; dataset routes are
 * documented once per dataset, with its columns as filters and its row schema.
 */
export function openApiDocument(
  routes: readonly Route[],
  datasets: ReadonlyMap<string, Dataset>,
  options: { metricsPublic: boolean; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const perDataset = new Set(routes.filter((r) => r.perDataset).map((r) => r.operationId));
  for (const r of routes) {
    if (r.undocumented) continue;
    for (const dataset of r.perDataset ? [...datasets.values()] : [undefined]) {
      const path = openApiPath(r.path, dataset);
      paths[path] = {
        ...paths[path],
        [(r.method ?? 'GET').toLowerCase()]: operation(r, dataset, options.metricsPublic, perDataset),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ODP data API',
      version: options.version,
      description:
        'Read the datasets of this ODP lake: filter, page, read as of a past snapshot, follow the change feed; ' +
        'operators with an admin key start runs and re-drive quarantined records. ' +
        'Every /v1 route needs an API key (`odp keys create`), sent as `Authorization: Bearer <key>` or `X-API-Key`.',
    },
    tags: [...datasets.values()].map((d) => ({ name: d.name, description: d.description ?? '' })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an ODP API key' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}

/** `GET /openapi.json`, built from the routes it is given (itself included). */
export function openApiRoute(routes: () => readonly Route[], version: string): Route {
  let cached: { key: string; document: Record<string, unknown> } | undefined;
  return {
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document: OpenAPI 3.1, generated from the routes the server serves',
    access: 'public',
    responses: () => ({
      '200': { description: 'the OpenAPI document', content: { 'application/json': { type: 'object' } } },
    }),
    handle: async function handleOpenapi(ctx, _input, services) {
      const { datasets } = services.runtime;
      const key = [...datasets.keys()].join(',');
      if (cached?.key !== key) {
        cached = {
          key,
          document: openApiDocument(routes(), datasets, {
            metricsPublic: services.settings.metricsPublic,
            version,
          }),
        };
      }
      ctx.body = cached.document;
    },
  };
}
