import { readFile } from 'node:fs/promises';
import type { AccessValue, Dataset } from '../datasets/definition.js';
import { secretPath } from '../datasets/secrets.js';
import { OdpError } from '../errors.js';

/** What a source's requests carry besides the URL: headers and query parameters, secrets read from their files. */
export interface Access {
  headers: Record<string, string>;
  query: [string, string][];
  /** Values that must never be written anywhere: replaced by `***` wherever a URL is shown. */
  secrets: string[];
}

/** Reads the secrets at each run, so a rotated secret is picked up without a restart. */
export async function sourceAccess(dataset: Dataset): Promise<Access> {
  const secrets: string[] = [];
  const value = async (field: string, v: AccessValue): Promise<string> => {
    if (typeof v === 'string') return v;
    const text = await readFile(secretPath(dataset, v.secretFile), 'utf8').catch((error: unknown) => {
      throw new OdpError(
        'source-failed',
        `${dataset.name}: cannot read the secret of source.${field} from ${v.secretFile}`,
        { cause: error },
      );
    });
    const secret = text.trim();
    secrets.push(secret);
    return secret;
  };
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(dataset.source.headers))
    headers[name.toLowerCase()] = await value(`headers.${name}`, v);
  const query: [string, string][] = [];
  for (const [name, v] of Object.entries(dataset.source.query))
    query.push([name, await value(`query.${name}`, v)]);
  return { headers, query, secrets };
}

/** `url` with the source's query parameters added (a parameter the URL already has is replaced). */
export function withQuery(url: string, params: readonly [string, string][]): string {
  if (params.length === 0) return url;
  const parsed = new URL(url);
  for (const [name, value] of params) parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** A URL as logs, errors and run records may show it: every secret value replaced by `***`. */
export function shown(url: string, access: Pick<Access, 'secrets'>): string {
  let out = url;
  for (const secret of access.secrets) {
    if (secret === '') continue;
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]))
      out = out.replaceAll(form, '***');
  }
  return out;
}
