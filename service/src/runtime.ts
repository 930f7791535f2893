import pg from 'pg';
import type { Config } from './config/config.js';
import type { Dataset } from './datasets/definition.js';
import { datasetNamed, loadDatasets } from './datasets/load.js';
import { openIncrementStore } from './increments/open.js';
import type { Run, RunTrigger } from './journal/run.js';
import { prepareJournal } from './journal/tables.js';
import { Lake } from './lake/lake.js';
import { pgClientConfig } from './lake/signin/conninfo.js';
import { type CatalogCredential, catalogCredential } from './lake/signin/credential.js';
import { CatalogSignIn } from './lake/signin/signin.js';
import type { Logger } from './log.js';
import { recordRunMetrics } from './metrics.js';
import { notifyQuarantine } from './notify.js';
import { type IngestContext, ingest } from './pipeline/ingest.js';
import { type LeaseProvider, PostgresLeases, ProcessLeases } from './pipeline/lease.js';
import { fromSource } from './sources/source.js';

/** Everything a command needs, opened once: the lake, the datasets, increments and leases. */
export interface Runtime extends IngestContext {
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
export async function openRuntime(
  config: Config,
  log: Logger,
  credential: CatalogCredential | undefined = catalogCredential(config.catalog),
): Promise<Runtime> {
  const datasets = await loadDatasets(config.datasetsDir);
  const signIn = credential && (await CatalogSignIn.start(credential, log));
  const lake = await Lake.open(config, { signIn })
    .then(async (opened) => {
      await opened.session(prepareJournal).catch((error: unknown) => {
        opened.close();
        throw error;
      });
      return opened;
    })
    .catch((error: unknown) => {
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
    languageModel: config.languageModel,
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

/**
 * One run of a dataset from its own source (bundled or live, as configured). `recheck` looks at every record
 * received, also those stored unchanged before (to apply a changed rule to them).
 */
export function ingestDataset(
  runtime: Runtime,
  name: string,
  trigger: RunTrigger,
  options: { recheck?: boolean } = {},
): Promise<Run> {
  const dataset = runtime.dataset(name);
  return ingest(runtime, {
    dataset,
    trigger,
    input: fromSource(dataset, runtime.config.sources),
    recheck: options.recheck === true,
  });
}
