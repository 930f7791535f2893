/** The console speaks to the API of the service that serves it, with the API key the operator signed in with. */

import type { paths } from './openapi.js';

/** The JSON body a GET route answers with 200, as the served OpenAPI document declares it. */
export type Answer<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

export interface Session {
  key: string;
  id: string;
  name: string;
  scope: Answer<'/v1/key'>['scope'];
}

export type Run = Answer<'/v1/runs'>['data'][number];
/** A run as `/v1/runs/:id` answers: finished, or still running, whichever replica runs it. */
export type RunState = Answer<'/v1/runs/{id}'>;
export type Snapshot = Answer<'/v1/datasets/{name}/snapshots'>['data'][number];
export type Dataset = Answer<'/v1/datasets/{name}'>;
export type Column = Dataset['columns'][number];

export type Row = Record<string, unknown>;

/** A problem the API answered (RFC 9457), with its status and the detail it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

async function problem(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
  return new ApiError(response.status, body.detail ?? body.title ?? `the API answered ${response.status}`);
}

/** GET (or POST) a JSON resource with the key; a problem answer becomes an ApiError with its detail. */
export async function call<T>(key: string, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, accept: 'application/json', ...init.headers },
  });
  if (!response.ok) throw await problem(response);
  return (await response.json()) as T;
}

/** Exports need the key too, so they are fetched and handed to the browser as a file. */
export async function download(key: string, path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw await problem(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The key lives for this tab only: closing it signs out, and nothing is kept on the server. */
const STORED = 'odp-console-key';
export const storedKey = (): string | null => sessionStorage.getItem(STORED);
export const storeKey = (key: string | null): void =>
  key ? sessionStorage.setItem(STORED, key) : sessionStorage.removeItem(STORED);

/** Checks a key with the API; a wrong one is told clearly. */
export async function signIn(key: string): Promise<Session> {
  try {
    const who = await call<Answer<'/v1/key'>>(key, '/v1/key');
    return { key, ...who };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(
        401,
        'This API key is not known or has been revoked. Check it, or create one with `odp keys create`.',
      );
    }
    throw error;
  }
}
