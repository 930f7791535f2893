import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ky, { type AfterResponseHook, HTTPError, isForceRetryError, TimeoutError } from 'ky';
import type { Dataset } from '../datasets/definition.js';
import { messageOf, OdpError } from '../errors.js';
import { type Access, shown, withQuery } from './access.js';
import type { Fetched, SourceValidators } from './fetched.js';

/**
 * One GET of a source, retrying 5xx, 429 and timeouts with exponential backoff and jitter, and honouring
 * Retry-After. A failure after the last attempt is a `source-failed` error naming `what` was fetched and the URL as
 * it may be shown (secrets masked, and the client's own error, which holds the full URL, left out when there are any).
 * With `whole`, the body is read within each attempt, so a body cut mid-way is one more failed attempt.
 */
export async function get(
  dataset: Dataset,
  url: string,
  access: Access,
  options: { headers?: Record<string, string>; what?: string; signal?: AbortSignal; whole?: boolean } = {},
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
        limit: dataset.source.retries,
        retryOnTimeout: true,
        jitter: true,
        backoffLimit: 30_000,
        // A server asking us to wait longer than a whole attempt is better retried at the next schedule.
        maxRetryAfter: Math.max(timeout, 60_000),
      },
      ...(options.whole ? { hooks: { afterResponse: [readWhole] } } : {}),
    });
  } catch (error) {
    const why =
      error instanceof HTTPError
        ? `the server answered ${error.response.status} ${error.response.statusText}`
        : error instanceof TimeoutError
          ? `no answer within ${dataset.source.timeoutSeconds}s`
          : isForceRetryError(error)
            ? `its body was cut: ${shown(messageOf(error.cause), access)}`
            : shown(messageOf(error), access);
    const where = shown(target, access);
    throw new OdpError(
      'source-failed',
      `${dataset.name}: fetching ${options.what ? `${options.what} (${where})` : where} failed after ${dataset.source.retries + 1} attempt(s): ${why}`,
      {
        cause: access.secrets.length > 0 ? undefined : error,
        details: { dataset: dataset.name, url: where },
      },
    );
  }
}

/**
 * Reads a successful answer's body in the attempt that got it: a body cut mid-way is retried, within the same
 * retries as a failed answer, and the response handed on holds the body in memory.
 */
const readWhole: AfterResponseHook = async ({ response }) => {
  if (!response.ok) return undefined; // a status is ky's own retry decision
  try {
    const { status, statusText, headers } = response;
    return new Response(await response.arrayBuffer(), { status, statusText, headers });
  } catch (error) {
    return ky.retry({ code: 'BODY_CUT', cause: error as Error });
  }
};

/** One GET whose body is read whole as part of it, for bodies small enough to hold (a page of a paged API). */
export async function getBody(
  dataset: Dataset,
  url: string,
  access: Access,
  options: { what: string; signal?: AbortSignal },
): Promise<{ headers: Headers; bytes: Buffer }> {
  const response = await get(dataset, url, access, { ...options, whole: true });
  return { headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Writes a response's body to `destination` as it arrives. */
export async function save(response: Response, destination: string): Promise<void> {
  if (!response.body) throw new Error('the response has no body');
  await pipeline(Readable.fromWeb(response.body), createWriteStream(destination));
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
