import pg from 'pg';
import { localRateLimiter, type RateLimiter, sharedRateLimiter } from './access/rateLimit.js';
import type { Config } from './config/config.js';
import { parseConninfo, pgClientConfig } from './config/conninfo.js';
import type { Dataset } from './datasets/definition.js';
import { datasetNamed, loadDatasets } from './datasets/load.js';
import type { EntraCredential } from './entra/token.js';
import { openIncrementStore } from './increments/open.js';
import { prepareJournal } from './journal/tables.js';
import { Lake } from './lake/lake.js';
import { underSetupLock } from './lake/setupLock.js';
import { catalogCredential } from './lake/signin/credential.js';
import { CatalogSignIn } from './lake/signin/signin.js';
import type { Logger } from './log.js';
import { recordRunMetrics } from './metrics.js';
import { notifyQuarantine } from './notify.js';
import type { IngestContext } from './pipeline/ingest.js';
import { type LeaseProvider, PostgresLeases, ProcessLeases } from './pipeline/lease.js';

/** Everything a command needs, opened once: the lake, the datasets, increments, leases and rate limits. */
export interface Runtime extends IngestContext {
  config: Config;
  datasets: Map<string, Dataset>;
  dataset(name: string): Dataset;
  /** Counts API requests per key: in this process, or in PostgreSQL for every replica on a shared catalog. */
  rateLimiter: RateLimiter;
  close(): void;
}

/** A PostgreSQL session of its own on the catalog's server, signed in with the current token. */
async function catalogSession(conninfo: string, signIn: CatalogSignIn | undefined, applicationName: string) {
  const client = new pg.Client(pgClientConfig(conninfo, signIn?.password, applicationName));
  await client.connect();
  return client;
}

/**
 * Writer leases where the catalog is: within the process for the embedded DuckDB file (one process can open it),
 * in PostgreSQL for a shared catalog, so that one replica at a time writes each dataset.
 */
function leasesFor(config: Config, signIn: CatalogSignIn | undefined): LeaseProvider {
  const { catalog } = config;
  if (catalog.kind === 'duckdb') return new ProcessLeases();
  return new PostgresLeases((applicationName) => catalogSession(catalog.conninfo, signIn, applicationName));
}

/**
 * The lake attached and the journal's tables made. On a shared catalog this happens under the catalog's setup lock:
 * replicas that start together on a new catalog would otherwise race to create the same tables, and the losers exit.
 */
async function openLake(config: Config, signIn: CatalogSignIn | undefined): Promise<Lake> {
  const open = async () => {
    const lake = await Lake.open(config, { signIn });
    await lake.session(prepareJournal).catch((error: unknown) => {
      lake.close();
      throw error;
    });
    return lake;
  };
  const { catalog } = config;
  if (catalog.kind === 'duckdb') return open();
  const keywords = parseConninfo(catalog.conninfo);
  const host = keywords.get('host') ?? keywords.get('hostaddr');
  const port = keywords.get('port');
  const server = `${host ?? 'the local socket'}${port ? `:${port}` : ''}`;
  return underSetupLock(
    { server, session: () => catalogSession(catalog.conninfo, signIn, 'odp setup') },
    open,
  );
}

/**
 * Where API requests are counted, like the leases: in the process for the embedded catalog, in PostgreSQL for a
 * shared one. The pool opens its (at most two) connections on the first request, so commands that serve nothing
 * never connect; its short timeouts let a request fall back to counting locally rather than wait on PostgreSQL.
 */
function rateLimiterFor(
  config: Config,
  signIn: CatalogSignIn | undefined,
  log: Logger,
): { limiter: RateLimiter; close(): void } {
  const { catalog } = config;
  if (catalog.kind === 'duckdb') return { limiter: localRateLimiter(), close: () => undefined };
  const pool = new pg.Pool({
    ...pgClientConfig(catalog.conninfo, undefined, 'odp rate limits'),
    // The token in use when each connection opens: it is renewed while the service runs.
    ...(signIn ? { password: () => signIn.password } : {}),
    connectionTimeoutMillis: 2_000,
    query_timeout: 2_000,
    max: 2,
  });
  // An idle connection PostgreSQL drops is replaced on the next request; it must not end the process.
  pool.on('error', (error) => log.debug({ err: error.message }, 'rate limits: idle connection closed'));
  return { limiter: sharedRateLimiter(pool, log), close: () => void pool.end().catch(() => undefined) };
}

/** `credential` overrides the one the configuration names (tests sign in with a stand-in for Entra ID). */
export async function openRuntime(
  config: Config,
  log: Logger,
  credential: EntraCredential | undefined = catalogCredential(config.catalog),
): Promise<Runtime> {
  const datasets = await loadDatasets(config.datasetsDir);
  const signIn = credential && (await CatalogSignIn.start(credential, log));
  const lake = await openLake(config, signIn).catch((error: unknown) => {
    signIn?.close();
    throw error;
  });
  const rateLimits = rateLimiterFor(config, signIn, log);
  return {
    config,
    datasets,
    lake,
    log,
    increments: openIncrementStore(config.increments),
    leases: leasesFor(config, signIn),
    rateLimiter: rateLimits.limiter,
    languageModel: config.languageModel,
    dataset: (name) => datasetNamed(datasets, name),
    onRun: async (run) => {
      recordRunMetrics(run);
      if (run.quarantined > 0 && config.webhookUrl) await notifyQuarantine(config.webhookUrl, run, log);
    },
    close: () => {
      rateLimits.close();
      lake.close();
      signIn?.close();
    },
  };
}
