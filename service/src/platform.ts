import type { Config } from './config.js';
import type { Dataset } from './datasets/definition.js';
import { datasetNamed, loadDatasets } from './datasets/load.js';
import { openIncrementStore } from './increments/store.js';
import { ProcessLeases } from './ingest/lease.js';
import type { IngestContext } from './ingest/pipeline.js';
import { Lake } from './lake/lake.js';
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

export async function openPlatform(config: Config, log: Logger): Promise<Platform> {
  const datasets = await loadDatasets(config.datasetsDir);
  const lake = await Lake.open(config);
  return {
    config,
    datasets,
    lake,
    log,
    increments: openIncrementStore(config.increments),
    leases: new ProcessLeases(),
    dataset: (name) => datasetNamed(datasets, name),
    onRun: async (run) => {
      recordRunMetrics(run);
      if (run.quarantined > 0 && config.webhookUrl) await notifyQuarantine(config.webhookUrl, run, log);
    },
    close: () => lake.close(),
  };
}
