import path from 'node:path';
import { z } from 'zod';
import { messageOf, OdpError } from '../errors.js';
import { SERVICE_ROOT } from '../serviceRoot.js';
import { type AzureTarget, azureTarget } from './azure.js';
import { onlyLoopback, parseConninfo, verifiesServer, withSystemRoots } from './conninfo.js';
import { CronPattern } from './cron.js';
import { InvalidSetting } from './invalidSetting.js';

/**
 * How the service signs in to a PostgreSQL catalog: `entra` sends a Microsoft Entra ID access token of the pod's
 * managed identity as the password (Azure Database for PostgreSQL); `libpq` leaves it to libpq's own means
 * (trust, peer, `PGPASSFILE`, `PGPASSWORD`) for a local or self-managed server. Never a password in ODP_CATALOG.
 */
export type CatalogAuth = 'libpq' | 'entra';

/** Where the lake's catalog lives: one DuckDB file (embedded default) or a PostgreSQL database (scale-out). */
export type CatalogTarget =
  | { kind: 'duckdb'; path: string }
  | { kind: 'postgres'; conninfo: string; auth: CatalogAuth };

/** Where a folder of files lives: on local disk or in an Azure Blob Storage container. */
export type StorageTarget = { kind: 'local'; path: string } | AzureTarget;

/** `burst` requests in each window of `burst / perSecond` seconds: `perSecond` on average. */
export interface RateLimits {
  perSecond: number;
  burst: number;
}

/** Who the API lets in, and how often. */
export interface AccessSettings {
  /** The hashed API keys, shared by `odp keys` and `odp serve`. */
  keysFile: string;
  /** Per key scope (see access/scopes.ts): settings name the two scopes themselves. */
  limits: { read: RateLimits; admin: RateLimits };
}

/** How the HTTP API protects itself. */
export interface ApiSettings {
  /** Whether Prometheus may scrape /metrics without a key (an admin key is needed otherwise). */
  metricsPublic: boolean;
  /** Origins allowed to call the API from a browser; empty means CORS is off. */
  corsOrigins: string[];
  /** A buffered response that takes longer is abandoned with 503 (exports have their own deadline). */
  requestTimeoutMs: number;
  maxQueryBytes: number;
  maxBodyBytes: number;
  /** DuckDB sessions the API reads through, i.e. how many queries run at once. */
  sessions: number;
  /** Memory for JSON pages kept by ETag (0 turns the cache off). */
  cacheMegabytes: number;
  /** Memory for serving copies of the current snapshot (0 turns them off; see src/serving/copies.ts). */
  servingMegabytes: number;
  /** What export files may take together in the temporary folder (the pods' /tmp is an emptyDir of 1 GiB). */
  exportSpaceMegabytes: number;
  /** An export's client that reads nothing for this long is cut off. */
  exportIdleMs: number;
  /** DuckDB's writing of an export is interrupted past this (503). */
  exportTimeoutMs: number;
}

/** Where `odp extensions install` looks; unset means the public default of each. */
export interface ExtensionSources {
  /** DuckDB's extension repository, or a mirror of its layout (an http URL or a folder). */
  repository?: string | undefined;
  /** The Python package index (simple API) of the fallback. */
  pythonIndex?: string | undefined;
}

/**
 * The language model summary enrichments call: an OpenAI-compatible chat-completions endpoint. `key` sends the
 * key read from `keyFile` (a Key Vault secret mounted as a file); `entra` sends the pod's workload-identity token
 * (Azure OpenAI). Undefined when no endpoint is configured: summaries then stay empty, with the reason.
 */
export interface LanguageModelSettings {
  /** The base URL; requests go to `<url>/chat/completions`. */
  url: string;
  model: string;
  auth: { kind: 'key'; keyFile: string } | { kind: 'entra' };
  /** Requests in flight at once. */
  concurrency: number;
  timeoutMs: number;
  /** Attempts per text, with backoff, for timeouts, 429 and 5xx answers. */
  attempts: number;
  /** Runs that may fail to summarise one text before it is given up (its records then keep an empty summary). */
  giveUpAfter: number;
}

/** Every setting of the service, read from `ODP_*` variables once and handed to each part. */
export interface Config {
  dataDir: string;
  catalog: CatalogTarget;
  /** The lake's Parquet files. */
  dataPath: StorageTarget;
  /** Raw increments, exactly as received. */
  increments: StorageTarget;
  datasetsDir: string;
  /** `bundled` reads each dataset's offline copy; `live` its production source. */
  sources: 'bundled' | 'live';
  port: number;
  /** Whether `serve` runs the ingest schedules (API-only replicas turn it off). */
  scheduler: boolean;
  extensionDir: string;
  extensionSources: ExtensionSources;
  /** DuckDB's memory budget (`1GB`, `512MiB`); work beyond it spills to disk. Unset: DuckDB's 80% of memory. */
  memoryLimit: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  webhookUrl: string | undefined;
  /** Snapshots older than this are expired by lake maintenance. */
  snapshotRetentionDays: number;
  /** When `serve` maintains the lake (cron, UTC). */
  maintenanceSchedule: string;
  api: ApiSettings;
  access: AccessSettings;
  languageModel: LanguageModelSettings | undefined;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off'], { message: 'must be true or false' })
  .transform((v) => ['true', '1', 'on'].includes(v));
const rate = z.coerce.number().positive().max(1_000_000);

export const EnvSchema = z.object({
  ODP_DATA_DIR: z.string().min(1).default('./data'),
  ODP_CATALOG: z.string().min(1).optional(),
  ODP_CATALOG_AUTH: z.enum(['libpq', 'entra']).optional(),
  ODP_DATA_PATH: z.string().min(1).optional(),
  ODP_INCREMENTS: z.string().min(1).optional(),
  ODP_AZURE_STORAGE_ACCOUNT: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name: 3-24 lower-case letters and digits')
    .optional(),
  ODP_AZURE_BLOB_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  ODP_DATASETS: z.string().min(1).default(path.join(SERVICE_ROOT, 'datasets')),
  ODP_SOURCES: z.enum(['bundled', 'live']).default('bundled'),
  ODP_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  ODP_SCHEDULER: bool.default(true),
  ODP_EXTENSION_DIR: z.string().min(1).default(path.join(SERVICE_ROOT, '.duckdb-extensions')),
  ODP_EXTENSION_REPOSITORY: z.string().min(1).optional(),
  ODP_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 1GB or 512MiB')
    .optional(),
  PIP_INDEX_URL: z.url({ protocol: /^https?$/ }).optional(),
  ODP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ODP_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  ODP_SNAPSHOT_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  // Hourly: between two maintenance runs the files of a dataset whose records change carry every replaced version,
  // and reads scan them (see REWRITE_DELETED_SHARE in lake/maintain.ts). Off the 5-minute marks ingests favour.
  ODP_MAINTENANCE_SCHEDULE: CronPattern.default('17 * * * *'),
  // Metrics name datasets, routes and memory: an admin key reads them unless an installation opens them.
  ODP_METRICS_PUBLIC: bool.default(false),
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
  // A quarter of the API pods' 2 GiB: a copy is built while the one it replaces still serves.
  ODP_SERVING_MB: z.coerce.number().min(0).max(65_536).default(512),
  // Three quarters of the pods' 1 GiB /tmp, which also holds the catalog sign-in file.
  ODP_EXPORT_SPACE_MB: z.coerce.number().min(1).max(1_048_576).default(768),
  ODP_EXPORT_IDLE_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  ODP_EXPORT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  ODP_API_KEYS_FILE: z.string().min(1).optional(),
  ODP_RATE_LIMIT_READ_PER_SECOND: rate.default(20),
  ODP_RATE_LIMIT_READ_BURST: rate.default(40),
  ODP_RATE_LIMIT_ADMIN_PER_SECOND: rate.default(100),
  ODP_RATE_LIMIT_ADMIN_BURST: rate.default(200),
  ODP_LLM_URL: z.url({ protocol: /^https?$/ }).optional(),
  ODP_LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  ODP_LLM_AUTH: z.enum(['key', 'entra']).default('key'),
  ODP_LLM_KEY_FILE: z.string().min(1).optional(),
  ODP_LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  ODP_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  ODP_LLM_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  ODP_LLM_GIVE_UP_AFTER: z.coerce.number().int().min(1).max(100).default(5),
});
type Env = z.infer<typeof EnvSchema>;

function storageTarget(value: string, variable: string, e: Env, containerUrls: boolean): StorageTarget {
  if (!/^[a-z]+:\/\//.test(value)) return { kind: 'local', path: path.resolve(value) };
  const defaults = { blobEndpoint: e.ODP_AZURE_BLOB_ENDPOINT, storageAccount: e.ODP_AZURE_STORAGE_ACCOUNT };
  return azureTarget(value, variable, defaults, containerUrls);
}

function catalogTarget(value: string, auth: CatalogAuth | undefined): CatalogTarget {
  if (value.startsWith('postgres:')) {
    const conninfo = value.slice('postgres:'.length);
    if (/(^|\s)password\s*=|:\/\/[^/@]*:[^/@]*@/.test(conninfo)) {
      throw new InvalidSetting(
        'ODP_CATALOG',
        "contains a password: leave it out and use ODP_CATALOG_AUTH=entra (Azure) or libpq's PGPASSFILE/PGPASSWORD",
      );
    }
    let keywords: Map<string, string>;
    try {
      keywords = parseConninfo(conninfo);
    } catch (error) {
      throw new InvalidSetting('ODP_CATALOG', messageOf(error));
    }
    // A token sent as the password goes only to a server that proved who it is (or to this machine).
    if (auth === 'entra' && !verifiesServer(keywords) && !onlyLoopback(keywords)) {
      throw new InvalidSetting(
        'ODP_CATALOG',
        "sends the Entra ID token as the password over a connection that does not verify the server: use sslmode=verify-full (checked against the system's trusted roots, or sslrootcert=<CA file>)",
      );
    }
    return { kind: 'postgres', conninfo: withSystemRoots(conninfo, keywords), auth: auth ?? 'libpq' };
  }
  if (auth)
    throw new InvalidSetting(
      'ODP_CATALOG_AUTH',
      'only applies to a PostgreSQL catalog (ODP_CATALOG=postgres:…)',
    );
  return { kind: 'duckdb', path: path.resolve(value.replace(/^duckdb:/, '')) };
}

function languageModelSettings(e: Env): LanguageModelSettings | undefined {
  if (!e.ODP_LLM_URL) return undefined;
  if (e.ODP_LLM_AUTH === 'key' && !e.ODP_LLM_KEY_FILE) {
    throw new InvalidSetting(
      'ODP_LLM_KEY_FILE',
      'is required with ODP_LLM_AUTH=key: the file holding the endpoint key (mounted from Key Vault), never the key itself',
    );
  }
  return {
    url: e.ODP_LLM_URL.replace(/\/$/, ''),
    model: e.ODP_LLM_MODEL,
    auth:
      e.ODP_LLM_AUTH === 'entra'
        ? { kind: 'entra' }
        : { kind: 'key', keyFile: path.resolve(e.ODP_LLM_KEY_FILE!) },
    concurrency: e.ODP_LLM_CONCURRENCY,
    timeoutMs: e.ODP_LLM_TIMEOUT_MS,
    attempts: e.ODP_LLM_ATTEMPTS,
    giveUpAfter: e.ODP_LLM_GIVE_UP_AFTER,
  };
}

/**
 * Reads and validates the `ODP_*` environment, every part's settings at once: a bad value is refused before
 * anything starts, with one line per problem naming its variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const invalid = (problems: string[]) =>
    new OdpError('config-invalid', `invalid configuration:\n${problems.join('\n')}`);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.ODP_DATA_DIR);
  const problems: string[] = [];
  const checked = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof InvalidSetting)) throw error;
      problems.push(`  ${error.variable}: ${error.message}`);
      return undefined as T;
    }
  };
  const catalog = checked(() =>
    catalogTarget(e.ODP_CATALOG ?? path.join(dataDir, 'catalog.ducklake'), e.ODP_CATALOG_AUTH),
  );
  const dataPath = checked(() =>
    storageTarget(e.ODP_DATA_PATH ?? path.join(dataDir, 'lake'), 'ODP_DATA_PATH', e, false),
  );
  const increments = checked(() =>
    storageTarget(e.ODP_INCREMENTS ?? path.join(dataDir, 'increments'), 'ODP_INCREMENTS', e, true),
  );
  const languageModel = checked(() => languageModelSettings(e));
  if (problems.length > 0) throw invalid([...new Set(problems)]);
  return {
    dataDir,
    catalog,
    dataPath,
    increments,
    datasetsDir: path.resolve(e.ODP_DATASETS),
    sources: e.ODP_SOURCES,
    port: e.ODP_PORT,
    scheduler: e.ODP_SCHEDULER,
    extensionDir: path.resolve(e.ODP_EXTENSION_DIR),
    extensionSources: { repository: e.ODP_EXTENSION_REPOSITORY, pythonIndex: e.PIP_INDEX_URL },
    memoryLimit: e.ODP_MEMORY_LIMIT,
    logLevel: e.ODP_LOG_LEVEL,
    webhookUrl: e.ODP_WEBHOOK_URL,
    snapshotRetentionDays: e.ODP_SNAPSHOT_RETENTION_DAYS,
    maintenanceSchedule: e.ODP_MAINTENANCE_SCHEDULE,
    api: {
      metricsPublic: e.ODP_METRICS_PUBLIC,
      corsOrigins: e.ODP_CORS_ORIGINS,
      requestTimeoutMs: e.ODP_REQUEST_TIMEOUT_MS,
      maxQueryBytes: e.ODP_MAX_QUERY_BYTES,
      maxBodyBytes: e.ODP_MAX_BODY_BYTES,
      sessions: e.ODP_API_SESSIONS,
      cacheMegabytes: e.ODP_API_CACHE_MB,
      servingMegabytes: e.ODP_SERVING_MB,
      exportSpaceMegabytes: e.ODP_EXPORT_SPACE_MB,
      exportIdleMs: e.ODP_EXPORT_IDLE_MS,
      exportTimeoutMs: e.ODP_EXPORT_TIMEOUT_MS,
    },
    languageModel,
    access: {
      keysFile: path.resolve(e.ODP_API_KEYS_FILE ?? path.join(dataDir, 'api-keys.json')),
      limits: {
        read: { perSecond: e.ODP_RATE_LIMIT_READ_PER_SECOND, burst: e.ODP_RATE_LIMIT_READ_BURST },
        admin: { perSecond: e.ODP_RATE_LIMIT_ADMIN_PER_SECOND, burst: e.ODP_RATE_LIMIT_ADMIN_BURST },
      },
    },
  };
}
