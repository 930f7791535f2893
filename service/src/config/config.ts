import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { OdpError } from '../errors.js';

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

/**
 * An Azure Storage account's blob service. `emulator` is Azurite on a loopback address, the only place where the
 * service uses an account key (Azurite's public development key); real accounts are reached with Entra ID only.
 */
export type BlobService = { account: string; endpoint: string; emulator: boolean };

/** Where a folder of files lives: on local disk or in an Azure Blob Storage container (under `prefix`). */
export type StorageTarget =
  | { kind: 'local'; path: string }
  | { kind: 'azure'; url: string; service: BlobService; container: string; prefix: string };

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

const serviceRoot = fileURLToPath(new URL('../..', import.meta.url));

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
  ODP_CATALOG_AUTH: z.enum(['libpq', 'entra']).optional(),
  ODP_AZURE_STORAGE_ACCOUNT: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name: 3-24 lower-case letters and digits')
    .optional(),
  ODP_AZURE_BLOB_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
});
type Env = z.infer<typeof EnvSchema>;

/** A configuration value that cannot be used, named by its variable. */
class Problem extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Azurite's documented development account; its key is public and works nowhere but in the emulator. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The blob service named by ODP_AZURE_BLOB_ENDPOINT / ODP_AZURE_STORAGE_ACCOUNT, for paths that name no account. */
function configuredService(e: Env, variable: string): BlobService {
  if (e.ODP_AZURE_BLOB_ENDPOINT)
    return emulatorService(new URL(e.ODP_AZURE_BLOB_ENDPOINT), 'ODP_AZURE_BLOB_ENDPOINT');
  if (!e.ODP_AZURE_STORAGE_ACCOUNT) {
    throw new Problem(
      variable,
      'names no storage account: write az://<account>.blob.core.windows.net/<container>/… or set ODP_AZURE_STORAGE_ACCOUNT',
    );
  }
  return azureService(e.ODP_AZURE_STORAGE_ACCOUNT);
}

function azureService(account: string): BlobService {
  return { account, endpoint: `https://${account}.blob.core.windows.net`, emulator: false };
}

/** An emulator endpoint is `http://127.0.0.1:10000/devstoreaccount1`: loopback only, Azurite's account only. */
function emulatorService(url: URL, variable: string): BlobService {
  if (!isLoopback(url.hostname)) {
    throw new Problem(
      variable,
      `${url.origin} is not a loopback address: account keys are only used with the local emulator (Azurite); ` +
        'reach Azure accounts as https://<account>.blob.core.windows.net with a managed identity',
    );
  }
  const account = url.pathname.split('/').filter(Boolean)[0];
  if (account !== AZURITE_ACCOUNT) {
    throw new Problem(
      variable,
      `the emulator endpoint must end in /${AZURITE_ACCOUNT} (Azurite's development account)`,
    );
  }
  return { account, endpoint: `${url.origin}/${account}`, emulator: true };
}

function splitPath(rest: string): { container: string; prefix: string } {
  const [container = '', ...prefix] = rest.split('/');
  return { container, prefix: prefix.filter(Boolean).join('/') };
}

/**
 * `az://<container>/<prefix>`, `az://<account>.blob.core.windows.net/<container>/<prefix>`,
 * `abfss://<container>@<account>.dfs.core.windows.net/<prefix>`, `abfss://<container>/<prefix>`, and (increments
 * only) a container URL `https://<account>.blob.core.windows.net/<container>` or an emulator one.
 */
function azureTarget(value: string, variable: string, e: Env, containerUrls: boolean): StorageTarget {
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1] as string;
  if (value.includes('?')) {
    throw new Problem(
      variable,
      'carries a query string (a SAS token is a key): use a managed identity instead',
    );
  }
  const url = value.replace(/\/?$/, '/');
  const rest = value.slice(scheme.length + 3);
  if (scheme === 'az' || scheme === 'azure') {
    const qualified = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net\/(.*)$/.exec(rest);
    const service = qualified ? azureService(qualified[1] as string) : configuredService(e, variable);
    return { kind: 'azure', url, service, ...splitPath(qualified ? (qualified[2] as string) : rest) };
  }
  if (scheme === 'abfss') {
    const named = /^([^@/]+)@([a-z0-9]{3,24})\.dfs\.core\.windows\.net\/?(.*)$/.exec(rest);
    const service = named ? azureService(named[2] as string) : configuredService(e, variable);
    if (service.emulator)
      throw new Problem(variable, 'Azurite has no Data Lake (dfs) endpoint: use az:// with it');
    const parts = named ? { container: named[1] as string, prefix: named[3] as string } : splitPath(rest);
    return {
      kind: 'azure',
      url,
      service,
      container: parts.container,
      prefix: parts.prefix.replace(/\/$/, ''),
    };
  }
  if (!containerUrls) throw new Problem(variable, `${scheme}:// is not a lake path: use az:// or abfss://`);
  const parsed = new URL(value);
  const hosted = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/.exec(parsed.hostname);
  if (hosted && scheme === 'https') {
    return {
      kind: 'azure',
      url,
      service: azureService(hosted[1] as string),
      ...splitPath(parsed.pathname.slice(1)),
    };
  }
  const service = emulatorService(parsed, variable);
  return { kind: 'azure', url, service, ...splitPath(parsed.pathname.split('/').slice(2).join('/')) };
}

function storageTarget(value: string, variable: string, e: Env, containerUrls: boolean): StorageTarget {
  if (!/^[a-z]+:\/\//.test(value)) return { kind: 'local', path: path.resolve(value) };
  const target = azureTarget(value, variable, e, containerUrls);
  if (target.kind === 'azure' && !/^[a-z0-9](-?[a-z0-9])*$/.test(target.container)) {
    throw new Problem(variable, `names no valid blob container (found "${target.container}")`);
  }
  return target;
}

function catalogTarget(value: string, auth: CatalogAuth | undefined): CatalogTarget {
  if (value.startsWith('postgres:')) {
    const conninfo = value.slice('postgres:'.length);
    if (/(^|\s)password\s*=|:\/\/[^/@]*:[^/@]*@/.test(conninfo)) {
      throw new Problem(
        'ODP_CATALOG',
        "contains a password: leave it out and use ODP_CATALOG_AUTH=entra (Azure) or libpq's PGPASSFILE/PGPASSWORD",
      );
    }
    return { kind: 'postgres', conninfo, auth: auth ?? 'libpq' };
  }
  if (auth)
    throw new Problem('ODP_CATALOG_AUTH', 'only applies to a PostgreSQL catalog (ODP_CATALOG=postgres:…)');
  return { kind: 'duckdb', path: path.resolve(value.replace(/^duckdb:/, '')) };
}

/** Reads and validates the `ODP_*` environment; a bad value is refused with one line per problem. */
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
      if (!(error instanceof Problem)) throw error;
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
    logLevel: e.ODP_LOG_LEVEL,
    webhookUrl: e.ODP_WEBHOOK_URL,
    snapshotRetentionDays: e.ODP_SNAPSHOT_RETENTION_DAYS,
  };
}
