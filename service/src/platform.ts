import pg from 'pg';
import type { Config } from './config.js';
import type { Dataset } from './datasets/definition.js';
import { datasetNamed, loadDatasets } from './datasets/load.js';
import { openIncrementStore } from './increments/store.js';
import { type LeaseProvider, PostgresLeases, ProcessLeases } from './ingest/lease.js';
import { type IngestContext, ingest } from './ingest/pipeline.js';
import type { RunRecord, RunTrigger } from './ingest/run.js';
import { fromSource } from './ingest/source.js';
import { pgClientConfig } from './lake/conninfo.js';
import { type CatalogCredential, catalogCredential } from './lake/credential.js';
import { Lake } from './lake/lake.js';
import { CatalogSignIn } from './lake/signin.js';
import type { Logger } from './log.js';
import { recordRunMetrics } from './metrics.js';
import { notifyQuarantine } from './quarantine/notify.js';

/** Everything a command needs, opened once: the lake, the datasets, increments and leases. */
export interface Platform extends IngestContext {
  config: Config;
  datasets: Map<string, Dataset>;
  dataset(name: string): Dataset;
  close(): void;
}

/**
 * Writer leases where the catalog is: within the process for the embedded DuckDB file (one process can open it),
 * in PostgreSQL for a shared catalog, so that one replica at a time writes each dataset.
 */
function leasesFor(config: Config, signIn: CatalogSignIn | undefined): LeaseProvider {
  const { catalog } = config;
  if (catalog.kind === 'duckdb') return new ProcessLeases();
  return new PostgresLeases(async (applicationName) => {
    const client = new pg.Client(pgClientConfig(catalog.conninfo, signIn?.password, applicationName));
    await client.connect();
    return client;
  });
}

/** `credential` overrides the one the configuration names (tests sign in with a stand-in for Entra ID). */
export async function openPlatform(
  config: Config,
  log: Logger,
  credential: CatalogCredential | undefined = catalogCredential(config.catalog),
): Promise<Platform> {
  const datasets = await loadDatasets(config.datasetsDir);
  const signIn = credential && (await CatalogSignIn.start(credential, log));
  const lake = await Lake.open(config, { signIn }).catch((error: unknown) => {
    signIn?.close();
    throw error;
  });
  return {
    config,
    datasets,
    lake,
    log,
    increments: openIncrementStore(config.increments),
    leases: leasesFor(config, signIn),
    dataset: (name) => datasetNamed(datasets, name),
    onRun: async (run) => {
      recordRunMetrics(run);
      if (run.quarantined > 0 && config.webhookUrl) await notifyQuarantine(config.webhookUrl, run, log);
    },
    close: () => {
      lake.close();
      signIn?.close();
    },
  };
}

/** One run of a dataset from its own source (bundled or live, as configured). */
export function ingestDataset(platform: Platform, name: string, trigger: RunTrigger): Promise<RunRecord> {
  const dataset = platform.dataset(name);
  return ingest(platform, { dataset, trigger, payload: fromSource(dataset, platform.config.sources) });
}
