import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ky, { HTTPError, TimeoutError } from 'ky';
import type { Dataset } from '../datasets/definition.js';
import { messageOf, OdpError } from '../errors.js';
import type { Fetched, SourceValidators } from './fetched.js';

/**
 * Downloads `url` to `destination`, retrying 5xx and timeouts with exponential backoff and jitter, honouring
 * Retry-After, and sending the previous ETag/Last-Modified so an unchanged feed costs one 304.
 */
export async function download(
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
