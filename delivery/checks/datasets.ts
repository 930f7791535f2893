import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repositoryRoot } from './repository.js';

export interface DatasetFile {
  file: string;
  name: string;
  schedule: string;
  /** Where the cluster reads the dataset from (ODP_SOURCES=live). */
  live: string;
  text: string;
}

/**
 * Whether a cluster can ingest the dataset: its live source is on the network. A dataset whose live source is a
 * file beside its definition is an example that runs where that file is (`npm start`, `docker compose up`).
 */
export const ingestedInCluster = (dataset: DatasetFile): boolean => /^(https?:\/\/|npm:)/.test(dataset.live);

/** The dataset definitions the service ships (service/datasets/*.yaml): what the cluster serves and ingests. */
export async function readDatasets(): Promise<DatasetFile[]> {
  const folder = path.join(repositoryRoot, 'service', 'datasets');
  const files = (await readdir(folder)).filter((file) => /\.ya?ml$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(folder, file), 'utf8');
      const { name, schedule, source } = parse(text) as {
        name: string;
        schedule: string;
        source: { live: string };
      };
      return { file, name, schedule, live: source.live, text };
    }),
  );
}
