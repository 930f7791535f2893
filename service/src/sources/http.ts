import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import ky, { HTTPError, TimeoutError } from 'ky';
import type { Dataset } from '../datasets/definition.js';
import { messageOf, OdpError } from '../errors.js';
import { type Access, shown, withQuery } from './access.js';
import type { Fetched, SourceValidators } from './fetched.js';

/**
 * One GET of a source, retrying 5xx, 429 and timeouts with exponential backoff and jitter, and honouring
 * Retry-After. A failure after the last attempt is a `source-failed` error naming `what` was fetched and the URL as
 * it may be shown (secrets masked, and the client's own error, which holds the full URL, left out when there are any).
 * `attempts` bounds the requests below the source's own budget (what is left of it), and `onRetry` counts them.
 */
export async function get(
  dataset: Dataset,
  url: string,
  access: Access,
  options: {
    headers?: Record<string, string>;
    what?: string;
    signal?: AbortSignal;
    attempts?: number;
    onRetry?: () => void;
  } = {},
): Promise<Response> {
  const target = withQuery(url, access.query);
  const timeout = dataset.source.timeoutSeconds * 1000;
  try {
    return await ky.get(target, {
      headers: { 'user-agent': 'odp (open data platform)', ...access.headers, ...options.headers },
      timeout,
      ...(options.signal ? { signal: options.signal } : {}),
      throwHttpErrors: (status) => status !== 304,
      retry: {
        limit: (options.attempts ?? dataset.source.retries + 1) - 1,
        retryOnTimeout: true,
        jitter: true,
        backoffLimit: 30_000,
        // A server asking us to wait longer than a whole attempt is better retried at the next schedule.
        maxRetryAfter: Math.max(timeout, 60_000),
      },
      ...(options.onRetry ? { hooks: { beforeRetry: [options.onRetry] } } : {}),
    });
  } catch (error) {
    const why =
      error instanceof HTTPError
        ? `the server answered ${error.response.status} ${error.response.statusText}`
        : error instanceof TimeoutError
          ? `no answer within ${dataset.source.timeoutSeconds}s`
          : shown(messageOf(error), access);
    throw failedAfterAll(dataset, target, access, options.what, why, error);
  }
}

/** A fetch that failed after all its attempts (every failure ends the source's budget, whoever counted it). */
function failedAfterAll(
  dataset: Dataset,
  target: string,
  access: Access,
  what: string | undefined,
  why: string,
  cause: unknown,
): OdpError {
  const where = shown(target, access);
  return new OdpError(
    'source-failed',
    `${dataset.name}: fetching ${what ? `${what} (${where})` : where} failed after ${dataset.source.retries + 1} attempt(s): ${why}`,
    {
      cause: access.secrets.length > 0 ? undefined : cause,
      details: { dataset: dataset.name, url: where },
    },
  );
}

/**
 * One GET whose body is written to `file` as it arrives, with its sha256 and size, for a page of a paged API. A body
 * cut mid-way counts as one more failed attempt of the same budget as failed answers: a page is asked for at most
 * `retries + 1` times, whatever mix of failures it meets (a retry writes the file again from its start).
 */
export async function getToFile(
  dataset: Dataset,
  url: string,
  access: Access,
  file: string,
  options: { what: string; signal?: AbortSignal },
): Promise<{ headers: Headers; size: number; sha256: string }> {
  let attempts = dataset.source.retries + 1;
  for (let cuts = 1; ; cuts++) {
    let made = 1;
    const response = await get(dataset, url, access, { ...options, attempts, onRetry: () => made++ });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await save(response, file, {
        signal: options.signal,
        onChunk: (chunk) => {
          hash.update(chunk);
          size += chunk.length;
        },
      });
      return { headers: response.headers, size, sha256: hash.digest('hex') };
    } catch (error) {
      attempts -= made;
      if (attempts <= 0 || options.signal?.aborted) {
        const why = `its body was cut: ${shown(messageOf(error), access)}`;
        throw failedAfterAll(dataset, withQuery(url, access.query), access, options.what, why, error);
      }
      // The same backoff as a failed answer's first retries, with jitter.
      await delay(Math.random() * Math.min(30_000, 300 * 2 ** cuts), undefined, { signal: options.signal });
    }
  }
}

/** Writes a response's body to `destination` as it arrives, showing each chunk to `onChunk` on its way. */
export async function save(
  response: Response,
  destination: string,
  options: { signal?: AbortSignal | undefined; onChunk?: (chunk: Buffer) => void } = {},
): Promise<void> {
  if (!response.body) throw new Error('the response has no body');
  const body = Readable.fromWeb(response.body);
  if (options.onChunk) body.on('data', options.onChunk);
  await pipeline(body, createWriteStream(destination), { signal: options.signal });
}

/**
 * Downloads `url` to `destination`, sending the previous ETag/Last-Modified so an unchanged feed costs one 304.
 */
export async function download(
  dataset: Dataset,
  url: string,
  access: Access,
  previous: SourceValidators | undefined,
  destination: string,
): Promise<Fetched> {
  const headers: Record<string, string> = {};
  if (previous?.etag) headers['if-none-match'] = previous.etag;
  if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;
  const response = await get(dataset, url, access, { headers });
  if (response.status === 304) return { kind: 'not-modified', source: url };
  try {
    await save(response, destination);
  } catch (error) {
    throw new OdpError(
      'source-failed',
      `${dataset.name}: reading ${shown(url, access)} failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  return {
    kind: 'payload',
    source: url,
    files: [destination],
    validators: {
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
    },
  };
}
