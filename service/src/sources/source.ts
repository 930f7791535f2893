import { createWriteStream } from 'node:fs';
import { access, glob } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ky, { HTTPError, TimeoutError } from 'ky';
import type { Config } from '../config/config.js';
import type { Dataset } from '../datasets/definition.js';
import { messageOf, OdpError } from '../errors.js';

/** Validators from the previous successful fetch; an unchanged feed then costs one 304. */
export interface SourceValidators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export type Fetched =
  | { kind: 'not-modified'; source: string }
  | { kind: 'payload'; source: string; files: string[]; validators: SourceValidators };

/** The location a run reads: the bundled offline copy on the embedded default, the live source otherwise. */
export function sourceLocation(dataset: Dataset, mode: Config['sources']): string {
  return mode === 'bundled' ? (dataset.source.bundled ?? dataset.source.live) : dataset.source.live;
}

/** `npm:<package>/<file>` names a file shipped inside an installed npm package. */
async function packageFile(spec: string): Promise<string> {
  const match = /^npm:((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(spec);
  if (!match) throw new Error(`${spec} is not of the form npm:<package>/<file>`);
  const [, pkg, file] = match as unknown as [string, string, string];
  let dir = path.dirname(createRequire(import.meta.url).resolve(pkg));
  while (path.basename(dir) !== pkg.split('/').at(-1) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return path.join(dir, file);
}

async function localFiles(dataset: Dataset, location: string): Promise<string[]> {
  const pattern = location.startsWith('npm:')
    ? await packageFile(location)
    : path.resolve(path.dirname(dataset.file), location);
  const files: string[] = [];
  for await (const file of glob(pattern)) files.push(file);
  if (files.length === 0) {
    await access(pattern).catch((error: unknown) => {
      throw new OdpError(
        'source-failed',
        `${dataset.name}: source ${location} matches no file (${pattern})`,
        { cause: error },
      );
    });
    files.push(pattern);
  }
  return files.sort();
}

async function download(
  dataset: Dataset,
  url: string,
  previous: SourceValidators | undefined,
  destination: string,
): Promise<Fetched> {
  const headers: Record<string, string> = { 'user-agent': 'odp (open data platform)' };
  if (previous?.etag) headers['if-none-match'] = previous.etag;
  if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;
  const timeout = dataset.source.timeoutSeconds * 1000;
  try {
    const response = await ky.get(url, {
      headers,
      timeout,
      throwHttpErrors: (status) => status !== 304,
      retry: {
        limit: dataset.source.retries,
        retryOnTimeout: true,
        jitter: true,
        backoffLimit: 30_000,
        // A server asking us to wait longer than a whole attempt is better retried at the next schedule.
        maxRetryAfter: Math.max(timeout, 60_000),
      },
    });
    if (response.status === 304) return { kind: 'not-modified', source: url };
    if (!response.body) throw new Error('the response has no body');
    await pipeline(Readable.fromWeb(response.body), createWriteStream(destination));
    return {
      kind: 'payload',
      source: url,
      files: [destination],
      validators: {
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      },
    };
  } catch (error) {
    const why =
      error instanceof HTTPError
        ? `the server answered ${error.response.status} ${error.response.statusText}`
        : error instanceof TimeoutError
          ? `no answer within ${dataset.source.timeoutSeconds}s`
          : messageOf(error);
    throw new OdpError(
      'source-failed',
      `${dataset.name}: fetching ${url} failed after ${dataset.source.retries + 1} attempt(s): ${why}`,
      { cause: error, details: { dataset: dataset.name, url } },
    );
  }
}

/**
 * Fetches a dataset's payload into `workDir`. HTTP sources retry 5xx and timeouts with exponential backoff and
 * jitter, honour Retry-After, and send the previous ETag/Last-Modified so an unchanged feed costs nothing.
 */
export async function fetchSource(
  dataset: Dataset,
  mode: Config['sources'],
  previous: SourceValidators | undefined,
  workDir: string,
): Promise<Fetched> {
  const location = sourceLocation(dataset, mode);
  if (/^https?:\/\//.test(location)) {
    return download(dataset, location, previous, path.join(workDir, `payload.${dataset.source.format}`));
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
