import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OdpError } from './errors.js';

/** Where the lake's catalog lives: one DuckDB file (embedded default) or a PostgreSQL database (scale-out). */
export type CatalogTarget = { kind: 'duckdb'; path: string } | { kind: 'postgres'; conninfo: string };

/** Where a folder of files lives: on local disk or in Azure Blob Storage. */
export type StorageTarget = { kind: 'local'; path: string } | { kind: 'azure'; url: string };

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
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  webhookUrl: string | undefined;
  /** Snapshots older than this are expired by lake maintenance. */
  snapshotRetentionDays: number;
}

const serviceRoot = fileURLToPath(new URL('..', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off'])
  .transform((v) => ['true', '1', 'on'].includes(v));

const EnvSchema = z.object({
  ODP_DATA_DIR: z.string().min(1).default('./data'),
  ODP_CATALOG: z.string().min(1).optional(),
  ODP_DATA_PATH: z.string().min(1).optional(),
  ODP_INCREMENTS: z.string().min(1).optional(),
  ODP_DATASETS: z.string().min(1).default(path.join(serviceRoot, 'datasets')),
  ODP_SOURCES: z.enum(['bundled', 'live']).default('bundled'),
  ODP_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  ODP_SCHEDULER: bool.default(true),
  ODP_EXTENSION_DIR: z.string().min(1).default(path.join(serviceRoot, '.duckdb-extensions')),
  ODP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ODP_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  ODP_SNAPSHOT_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
});

function storageTarget(value: string): StorageTarget {
  return /^(az|abfss|azure|https):\/\//.test(value)
    ? { kind: 'azure', url: value }
    : { kind: 'local', path: path.resolve(value) };
}

function catalogTarget(value: string): CatalogTarget {
  if (value.startsWith('postgres:')) return { kind: 'postgres', conninfo: value.slice('postgres:'.length) };
  return { kind: 'duckdb', path: path.resolve(value.replace(/^duckdb:/, '')) };
}

/** Reads and validates the `ODP_*` environment; a bad value is refused with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new OdpError('config-invalid', `invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.ODP_DATA_DIR);
  return {
    dataDir,
    catalog: catalogTarget(e.ODP_CATALOG ?? path.join(dataDir, 'catalog.ducklake')),
    dataPath: storageTarget(e.ODP_DATA_PATH ?? path.join(dataDir, 'lake')),
    increments: storageTarget(e.ODP_INCREMENTS ?? path.join(dataDir, 'increments')),
    datasetsDir: path.resolve(e.ODP_DATASETS),
    sources: e.ODP_SOURCES,
    port: e.ODP_PORT,
    scheduler: e.ODP_SCHEDULER,
    extensionDir: path.resolve(e.ODP_EXTENSION_DIR),
    logLevel: e.ODP_LOG_LEVEL,
    webhookUrl: e.ODP_WEBHOOK_URL,
    snapshotRetentionDays: e.ODP_SNAPSHOT_RETENTION_DAYS,
  };
}
