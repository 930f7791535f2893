import v8 from 'node:v8';
import { etagOf } from '../../src/api/http/conditional.js';
import { ResponseCache } from '../../src/api/http/responseCache.js';

/**
 * Fills a response cache of `budget` bytes with pages of one kind, keyed by ETags made as the API makes them, and
 * prints how much the JS heap grew (after full collections). Run with --expose-gc by `responseCache.test.ts`.
 */
const PAGES: Record<string, (i: number) => string> = {
  // An empty page: what a client paging past the end, or probing many filters, is answered.
  empty: (i) => JSON.stringify({ data: [], next: null, snapshot: i % 50 }),
  // One small record.
  small: (i) =>
    JSON.stringify({ data: [{ id: `r${i}`, mag: (i % 90) / 10, v: i }], next: null, snapshot: 7 }),
  // Text beyond Latin-1, which V8 keeps at two bytes a character.
  wide: (i) =>
    JSON.stringify({
      data: [{ id: `r${i}`, place: `${i % 100} km NNE of Tōkyō — 東京都` }],
      next: null,
      snapshot: 7,
    }),
  // A full page of 100 records.
  large: (i) =>
    JSON.stringify({
      data: Array.from({ length: 100 }, (_, j) => ({
        id: `r${i}-${j}`,
        mag: j / 10,
        place: `place ${j}`,
        t: i,
      })),
      next: `cursor-${i}`,
      snapshot: 7,
    }),
};

const [kind = 'empty', budgetText = '16', pagesText = '400000'] = process.argv.slice(2);
const page = PAGES[kind];
if (!page) throw new Error(`no page kind ${kind}: one of ${Object.keys(PAGES).join(', ')}`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size;
};

const budget = Number(budgetText) * 2 ** 20;
const before = heap();
const cache = new ResponseCache(budget);
for (let i = 0; i < Number(pagesText); i++) {
  cache.set(etagOf(['dataset', i, 'query', 'json']), page(i));
}
const grown = heap() - before;
// The cache is still in use here, so nothing of it was collected before the measurement.
const kept = cache.get(etagOf(['dataset', Number(pagesText) - 1, 'query', 'json'])) !== undefined;
process.stdout.write(`${JSON.stringify({ kind, budget, grown, kept })}\n`);
