import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { messageOf } from '../../errors.js';
import { literal } from '../../lake/quote.js';
import type { SourceFormat } from './format.js';
import { ndjson } from './ndjson.js';

/** One entry of a news feed, the same whether the feed is RSS 2.0 or Atom; columns read it by JSON path. */
export interface FeedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  summary: string | null;
  content: string | null;
  author: string | null;
  categories: string[];
  /** RFC 3339 when the feed's date could be read, the feed's own text otherwise (the column then says why). */
  published: string | null;
  updated: string | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => ['item', 'entry', 'category', 'link', 'author'].includes(name),
});

type Node = Record<string, unknown> | string | undefined;

/** An element's text, whether the parser gave a plain string or an object holding `#text` beside attributes. */
function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node.trim() || null;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  return text((node as Record<string, unknown>)['#text']);
}

function time(node: unknown): string | null {
  const value = text(node);
  if (value === null) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : new Date(parsed).toISOString();
}

function rssItem(item: Record<string, unknown>): FeedEntry {
  return {
    id: text(item.guid) ?? text(item.link),
    title: text(item.title),
    link: text(item.link),
    summary: text(item.description),
    content: text(item.encoded),
    author: text(item.creator) ?? text(item.author),
    categories: ((item.category as unknown[] | undefined) ?? [])
      .map(text)
      .filter((c): c is string => c !== null),
    published: time(item.pubDate) ?? time(item.date),
    updated: null,
  };
}

function atomEntry(entry: Record<string, unknown>): FeedEntry {
  const links = (entry.link as Record<string, string>[] | undefined) ?? [];
  const link = links.find((l) => (l['@rel'] ?? 'alternate') === 'alternate') ?? links[0];
  const author = (entry.author as Record<string, unknown>[] | undefined)?.[0];
  return {
    id: text(entry.id),
    title: text(entry.title),
    link: link?.['@href'] ?? null,
    summary: text(entry.summary),
    content: text(entry.content),
    author: author ? text(author.name) : null,
    categories: ((entry.category as Record<string, string>[] | undefined) ?? [])
      .map((c) => c['@term'] ?? null)
      .filter((c): c is string => c !== null),
    published: time(entry.published),
    updated: time(entry.updated),
  };
}

/** The entries of an RSS 2.0 or Atom document; throws with the reason when it is neither. */
export function feedEntries(xml: string): FeedEntry[] {
  const document = parser.parse(xml, true) as Record<string, Node>;
  const rss = document.rss as Record<string, Record<string, unknown>> | undefined;
  if (rss?.channel) return ((rss.channel.item as Record<string, unknown>[] | undefined) ?? []).map(rssItem);
  const feed = document.feed as Record<string, unknown> | undefined;
  if (feed) return ((feed.entry as Record<string, unknown>[] | undefined) ?? []).map(atomEntry);
  throw new Error(`the document's root is <${Object.keys(document).find((k) => !k.startsWith('?')) ?? '?'}>`);
}

/**
 * RSS 2.0 and Atom news feeds: each item or entry becomes one record of the fields above, staged as NDJSON. A
 * document that is not a feed is one quarantined record, with the reason and the first 64 kB as received.
 */
export const rss: SourceFormat = {
  extension: 'xml',
  stage: async (connection, dataset, files) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-feed-'));
    const unreadable: { raw: string; error: string }[] = [];
    try {
      const lines: string[] = [];
      for (const file of files) {
        const xml = await readFile(file, 'utf8');
        try {
          for (const entry of feedEntries(xml)) lines.push(JSON.stringify(entry));
        } catch (error) {
          unreadable.push({
            raw: xml.slice(0, 65_536),
            error: `not an RSS 2.0 or Atom feed: ${messageOf(error)}`,
          });
        }
      }
      const entries = path.join(dir, 'entries.ndjson');
      await writeFile(entries, lines.join('\n'));
      await ndjson.stage(connection, dataset, [entries]);
      const nulls = dataset.columns.map(() => 'NULL').join(', ');
      for (const bad of unreadable) {
        await connection.run(
          `INSERT INTO incoming SELECT (SELECT coalesce(max(_odp_seq), 0) FROM incoming) + 1, ${literal(bad.raw)}, ${literal(bad.error)}, ${nulls}`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
