import { z } from 'zod';
import { readEnv } from '../access/settings.js';

/** How the HTTP API protects itself and whom it lets in; read from `ODP_*` variables. */
export interface ApiSettings {
  /** Whether Prometheus may scrape /metrics without a key (an admin key is needed otherwise). */
  metricsPublic: boolean;
  /** Origins allowed to call the API from a browser; empty means CORS is off. */
  corsOrigins: string[];
  /** A buffered response that takes longer is abandoned with 503 (exports stream and are not cut off). */
  requestTimeoutMs: number;
  maxQueryBytes: number;
  maxBodyBytes: number;
  /** DuckDB sessions the API reads through, i.e. how many queries run at once. */
  sessions: number;
  /** Memory for JSON pages kept by ETag (0 turns the cache off). */
  cacheMegabytes: number;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off'], { message: 'must be true or false' })
  .transform((v) => ['true', '1', 'on'].includes(v));

const ApiEnv = z.object({
  ODP_METRICS_PUBLIC: bool.default(true),
  ODP_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'each origin must be an http(s) URL' }))),
  ODP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  ODP_MAX_QUERY_BYTES: z.coerce.number().int().min(256).max(1_000_000).default(8192),
  ODP_MAX_BODY_BYTES: z.coerce.number().int().min(0).max(10_000_000).default(16_384),
  ODP_API_SESSIONS: z.coerce.number().int().min(1).max(64).default(4),
  ODP_API_CACHE_MB: z.coerce.number().min(0).max(65_536).default(64),
});

export function loadApiSettings(env: NodeJS.ProcessEnv = process.env): ApiSettings {
  const e = readEnv(ApiEnv, env, 'API');
  return {
    metricsPublic: e.ODP_METRICS_PUBLIC,
    corsOrigins: e.ODP_CORS_ORIGINS,
    requestTimeoutMs: e.ODP_REQUEST_TIMEOUT_MS,
    maxQueryBytes: e.ODP_MAX_QUERY_BYTES,
    maxBodyBytes: e.ODP_MAX_BODY_BYTES,
    sessions: e.ODP_API_SESSIONS,
    cacheMegabytes: e.ODP_API_CACHE_MB,
  };
}
