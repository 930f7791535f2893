import type { Context } from 'koa';
import { z } from 'zod';
import type { KeyStore } from '../../access/keys.js';
import type { ApiSettings } from '../../config/config.js';
import type { Dataset } from '../../datasets/definition.js';
import type { OperatorRuns } from '../../runs/operatorRuns.js';
import type { Runtime } from '../../runtime.js';
import type { ServingCopies } from '../../serving/copies.js';
import type { CatalogCache } from '../http/catalogCache.js';
import type { JsonSchema } from '../http/parameters.js';
import { badRequest } from '../http/problem.js';
import type { ResponseCache } from '../http/responseCache.js';
import type { ReadSessions } from '../http/sessions.js';
import type { Access } from '../middleware/access.js';
import type { Exports } from '../records/exports.js';

/** What route handlers read the lake through. */
export interface Services {
  runtime: Runtime;
  sessions: ReadSessions;
  /** Exports: their slots (one session stays free for everything else), files, space and clients bounded. */
  exports: Exports;
  catalog: CatalogCache;
  /** In-memory copies of the current snapshot that page and record reads at that snapshot use. */
  serving: ServingCopies;
  /** JSON pages by ETag: exact, since a snapshot never changes. */
  responses: ResponseCache;
  /** Runs operators started through the API, until they end. */
  operations: OperatorRuns;
  /** The API keys; readiness waits for their first read. */
  keys: KeyStore;
  settings: ApiSettings;
}

/** A response header, as OpenAPI describes it. */
export interface Header {
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

/**
 * Where an answer leads (an OpenAPI link): the operation to call next, and its parameters as runtime expressions
 * over this request and response, e.g. `$response.body#/next`.
 */
export interface Link {
  operationId: string;
  description: string;
  parameters: Record<string, string>;
}

export interface Response {
  description: string;
  /** Media type → JSON schema of the body (or `{}` for binary/opaque bodies). */
  content?: Record<string, JsonSchema>;
  headers?: Record<string, Header>;
  links?: Record<string, Link>;
}

/**
 * One HTTP route, declared once: the router serves it from this declaration and the OpenAPI document is generated
 * from it, so the two cannot drift apart.
 */
export interface Route<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject> {
  path: string;
  /** GET unless the route changes something (an operator starting a run). */
  method?: 'GET' | 'POST';
  operationId: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  /**
   * Query parameters beyond `query` are refused unless the route takes them (records take column filters),
   * in which case `extraQuery` documents them per dataset.
   */
  extraQuery?: (dataset: Dataset) => { name: string; description: string; schema: JsonSchema }[];
  /** Documented once per dataset, with that dataset's real columns. */
  perDataset?: boolean;
  /**
   * The documented schema of parameters whose valid values depend on the dataset (its columns in `select` and
   * `order`, its key's type): the handler checks the same rules against the lake's columns.
   */
  documentedFor?: (dataset: Dataset) => Record<string, JsonSchema>;
  /** Served but left out of the OpenAPI document (static assets of /docs). */
  undocumented?: boolean;
  responses: (dataset: Dataset | undefined) => Record<string, Response>;
  handle: (
    ctx: Context,
    input: { params: z.infer<P>; query: z.infer<Q> },
    services: Services,
  ) => Promise<void>;
}

/** Declares a route with its parameter types inferred from its schemas. */
export function route<P extends z.ZodObject, Q extends z.ZodObject>(r: Route<P, Q>): Route<P, Q> {
  return r;
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[value.length - 1] : value;

/** Checks a request's path and query against the route's schemas; every problem is named in one 400. */
export function validateInput(r: Route, ctx: Context): { params: unknown; query: unknown } {
  const problems: { parameter: string; message: string }[] = [];
  const check = (schema: z.ZodObject | undefined, value: Record<string, unknown>, strict: boolean) => {
    if (!schema) return {};
    const parsed = (strict ? schema.strict() : schema).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push({
            parameter: key,
            message: `unknown parameter; this route takes ${Object.keys(schema.shape).join(', ') || 'none'}`,
          });
        }
      } else problems.push({ parameter: issue.path.join('.') || '(query)', message: issue.message });
    }
    return {};
  };
  const query = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, first(v)]));
  const params = check(r.params, ctx.params ?? {}, false);
  const parsedQuery = check(r.query ?? z.object({}), query, !r.extraQuery);
  if (problems.length) {
    throw badRequest(problems.map((p) => `${p.parameter}: ${p.message}`).join('; '), problems);
  }
  return { params, query: parsedQuery };
}
