import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repositoryRoot } from './repository.js';

export interface DatasetFile {
  file: string;
  name: string;
  schedule: string;
  text: string;
}

/** The dataset definitions the service ships (service/datasets/*.yaml): what the cluster must ingest. */
export async function readDatasets(): Promise<DatasetFile[]> {
  const folder = path.join(repositoryRoot, 'service', 'datasets');
  const files = (await readdir(folder)).filter((file) => /\.ya?ml$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(folder, file), 'utf8');
      const { name, schedule } = parse(text) as { name: string; schedule: string };
      return { file, name, schedule, text };
    }),
  );
}
