import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Dataset } from '../datasets/definition.js';
import { sourceAccess } from './access.js';
import type { Fetched, SourceValidators } from './fetched.js';
import { localFiles } from './files.js';
import { download } from './http.js';
import { fetchPages } from './pages.js';

/** The location a run reads: the bundled offline copy on the embedded default, the live source otherwise. */
export function sourceLocation(dataset: Dataset, mode: Config['sources']): string {
  return mode === 'bundled' ? (dataset.source.bundled ?? dataset.source.live) : dataset.source.live;
}

/**
 * Fetches a dataset's payload into `workDir`: downloaded from an http(s) source (page by page from a paged API),
 * read in place otherwise (a bundled copy of a paged API is one page).
 */
export async function fetchSource(
  dataset: Dataset,
  mode: Config['sources'],
  previous: SourceValidators | undefined,
  workDir: string,
): Promise<Fetched> {
  const location = sourceLocation(dataset, mode);
  if (/^https?:\/\//.test(location)) {
    const access = await sourceAccess(dataset);
    if (dataset.source.pages) return fetchPages(dataset, location, access, previous, workDir);
    return download(
      dataset,
      location,
      access,
      previous,
      path.join(workDir, `payload.${dataset.source.format}`),
    );
  }
  return { kind: 'payload', source: location, files: await localFiles(dataset, location), validators: {} };
}

/** The payload of a normal run: the dataset's own source. */
export function fromSource(dataset: Dataset, mode: Config['sources']) {
  return {
    kind: 'source' as const,
    source: sourceLocation(dataset, mode),
    fetch: (workDir: string, previous: SourceValidators | undefined) =>
      fetchSource(dataset, mode, previous, workDir),
  };
}
