import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Dataset, Pages } from '../datasets/definition.js';
import { duckdbJsonPath } from '../datasets/jsonPath.js';
import { messageOf, OdpError } from '../errors.js';
import { literal } from '../lake/quote.js';
import { type Access, shown } from './access.js';
import type { Fetched, SourceValidators } from './fetched.js';
import { getToFile } from './http.js';

/** What decides the next page: the page's own URL and headers, its records and the body value the paginator reads. */
interface Page {
  number: number;
  url: string;
  headers: Headers;
  count: number;
  /** The value at `next`, `cursor` or `more` in the body, as text (JSON text for `more`); null when absent. */
  value: string | null;
}

/** The path of a page's records: the source's `records`, GeoJSON's features, or the top-level array. */
function recordsPath(dataset: Dataset): string {
  return dataset.source.records ?? (dataset.source.format === 'geojson' ? '$.features[*]' : '$');
}

/**
 * Reads what the walk needs from each page's file with DuckDB's own reader and JSON functions: the query runs on
 * the engine's threads while the page after a full one arrives, the parser is several times faster than building
 * the page as JavaScript objects, and no JavaScript copy of a page is made. The page is parsed once for its
 * records' count, once more for the value a paginator reads; text that is not JSON (or not UTF-8) fails the parse.
 */
class PageReader {
  private constructor(
    private readonly engine: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly statement: DuckDBPreparedStatement,
  ) {}

  static async open(dataset: Dataset, pages: Pages): Promise<PageReader> {
    const engine = await DuckDBInstance.create(':memory:');
    const connection = await engine.connect();
    const field =
      'next' in pages
        ? pages.next
        : 'cursor' in pages
          ? pages.cursor
          : 'more' in pages
            ? pages.more
            : undefined;
    const value =
      field === undefined
        ? 'NULL'
        : pages.kind === 'offset' || pages.kind === 'page'
          ? `json_extract(content, ${literal(duckdbJsonPath(field))})::VARCHAR`
          : `json_extract_string(content, ${literal(duckdbJsonPath(field))})`;
    const container = duckdbJsonPath(recordsPath(dataset)).replace(/\[\*\]$/, '');
    const sql =
      dataset.source.format === 'ndjson'
        ? `SELECT len(list_filter(string_split(content, chr(10)), l -> trim(l) <> '')) AS count, NULL AS value
           FROM read_text($1)`
        : // 0 for a container that is not an array, NULL for one that is absent.
          `SELECT coalesce(json_array_length(content, ${literal(container)}), 0) AS count, ${value} AS value
           FROM read_text($1)`;
    return new PageReader(engine, connection, await connection.prepare(sql));
  }

  /** Reads the page from its file, as the engine's own reader: no JavaScript copy of the page is made. */
  async read(file: string): Promise<{ count: number; value: string | null }> {
    this.statement.bindVarchar(1, file);
    try {
      const [count, value] = (await this.statement.runAndReadAll()).getRows()[0] as [bigint, string | null];
      return { count: Number(count), value };
    } catch (error) {
      if (/Malformed JSON|valid UTF-8/i.test(messageOf(error))) throw new Error('it is not valid JSON');
      throw error;
    }
  }

  close(): void {
    this.statement.destroySync();
    this.connection.closeSync();
    this.engine.closeSync();
  }
}

const withParams = (url: string, params: Record<string, string | number | undefined>): string => {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) parsed.searchParams.set(name, String(value));
  return parsed.toString();
};

/** The first page's URL: the source's URL with the paginator's opening parameters. */
function firstPage(pages: Pages, url: string): string {
  switch (pages.kind) {
    case 'offset':
      return withParams(url, { [pages.offsetParam]: 0, [pages.limitParam]: pages.size });
    case 'page':
      return withParams(url, { [pages.pageParam]: pages.firstPage, [pages.sizeParam]: pages.size });
    default:
      return withParams(url, { [pages.sizeParam]: pages.size });
  }
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the page's URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const [, target, params = ''] of header.matchAll(
    /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g,
  )) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
    if (rel && (rel[1] ?? rel[2] ?? '').toLowerCase().split(/\s+/).includes('next'))
      return new URL(target ?? '', base).toString();
  }
  return undefined;
}

/** Whether a `more` field says more pages follow: present and not false, null, 0 or empty. */
const truthy = (json: string | null): boolean =>
  json !== null && !['false', 'null', '0', '""'].includes(json);

/** The URL of the page after `page`, or undefined when it was the last. */
function following(pages: Pages, first: string, page: Page): string | undefined {
  const { count, value } = page;
  // An empty page ends every walk: CKAN, for one, links a next page after the last.
  if (count === 0) return undefined;
  const more = 'more' in pages && pages.more !== undefined ? truthy(value) : undefined;
  switch (pages.kind) {
    case 'offset':
      if (!(more ?? count >= pages.size)) return undefined;
      // By what arrived, not what was asked: a server may cap a page below `size` (ArcGIS's maxRecordCount).
      return withParams(first, {
        [pages.offsetParam]: Number(new URL(page.url).searchParams.get(pages.offsetParam)) + count,
      });
    case 'page':
      if (!(more ?? count >= pages.size)) return undefined;
      return withParams(first, { [pages.pageParam]: pages.firstPage + page.number });
    case 'next-link':
      return value ? new URL(value, page.url).toString() : undefined;
    case 'link-header':
      return nextLink(page.headers.get('link'), page.url);
    case 'cursor':
      return value ? withParams(first, { [pages.cursorParam]: value }) : undefined;
  }
}

/** The page after a full one, where the paginator can tell it before reading the page. */
function predicted(pages: Pages, first: string, current: string, number: number): string | undefined {
  if (pages.kind === 'offset') {
    const offset = Number(new URL(current).searchParams.get(pages.offsetParam));
    return withParams(first, { [pages.offsetParam]: offset + pages.size });
  }
  if (pages.kind === 'page') return withParams(first, { [pages.pageParam]: pages.firstPage + number });
  return undefined;
}

/** A request for a page that is likely next, written to its file; abandoned (file and failure) when it is not. */
function fetchAhead(dataset: Dataset, url: string, access: Access, number: number, file: string) {
  const abort = new AbortController();
  const response = getToFile(dataset, url, access, file, { what: `page ${number}`, signal: abort.signal });
  const settled = response.then(
    () => undefined,
    () => undefined,
  );
  const abandon = async () => {
    abort.abort();
    await settled;
    await rm(file, { force: true });
  };
  return { url, response, abandon };
}

/**
 * Fetches every page of a paged API into `workDir`, one file per page in order, each with the source's retries
 * and timeouts: a page that fails after them fails the whole fetch, so a run commits all pages or none. The
 * pages' content digest is the payload's validator: a walk that finds every page as it was last time is
 * `not-modified`, and stores nothing.
 */
export async function fetchPages(
  dataset: Dataset,
  url: string,
  access: Access,
  previous: SourceValidators | undefined,
  workDir: string,
): Promise<Fetched> {
  const pages = dataset.source.pages;
  if (!pages) throw new Error(`${dataset.name} declares no pages`);
  const digest = createHash('sha256');
  const files: string[] = [];
  const seen = new Set<string>();
  const first = firstPage(pages, url);
  const reader = await PageReader.open(dataset, pages);
  let next: string | undefined = first;
  let ahead: ReturnType<typeof fetchAhead> | undefined;
  const pageFile = (number: number) =>
    path.join(workDir, `page-${String(number).padStart(7, '0')}.${dataset.source.format}`);
  try {
    for (let number = 1; next !== undefined; number++) {
      const current: string = next;
      const failed = (why: string) =>
        new OdpError('source-failed', `${dataset.name}: page ${number} (${shown(current, access)}) ${why}`, {
          details: { dataset: dataset.name, page: number },
        });
      if (number > pages.maxPages)
        throw failed(
          `is past source.pages.maxPages (${pages.maxPages}); raise it if the API is really this long`,
        );
      if (seen.has(current)) throw failed('was fetched before: the API links back to an earlier page');
      seen.add(current);
      const file = pageFile(number);
      const { headers, size, sha256 } = await (ahead?.url === current
        ? ahead.response
        : getToFile(dataset, current, access, file, { what: `page ${number}` }));
      files.push(file);
      // Offset and page numbers name the next page before this one is read: it is on its way while this is.
      const likely = predicted(pages, first, current, number);
      ahead =
        likely === undefined
          ? undefined
          : fetchAhead(dataset, likely, access, number + 1, pageFile(number + 1));
      // The walk's digest is over each page's size and digest, in order.
      digest.update(`${size} ${sha256}\n`);
      try {
        next = following(pages, first, { number, url: current, headers, ...(await reader.read(file)) });
      } catch (error) {
        throw failed(`cannot be read, so the next page is unknown: ${messageOf(error)}`);
      }
      if (ahead && ahead.url !== next) {
        await ahead.abandon();
        ahead = undefined;
      }
    }
  } finally {
    await ahead?.abandon();
    reader.close();
  }
  const validators = { digest: `sha256:${digest.digest('hex')}` };
  if (previous?.digest === validators.digest) return { kind: 'not-modified', source: url };
  return { kind: 'payload', source: url, files, validators };
}
