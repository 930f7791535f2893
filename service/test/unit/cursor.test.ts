import { expect } from 'chai';
import fc from 'fast-check';
import {
  type Cursor,
  checkCursor,
  encodeCursor,
  readCursor,
  type SortValueCheck,
  wholeNumber,
} from '../../src/api/http/cursor.js';
import { keysetPage } from '../../src/api/http/paging.js';
import { Problem } from '../../src/api/http/problem.js';

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const cursors = fc.record({
  snapshot: fc.nat(),
  after: fc.array(value, { maxLength: 64 }),
  query: fc.string(),
});

/** The 400 `work` throws, as the parameter it names and its detail. */
function refusal(work: () => unknown): { parameter: string | undefined; detail: string } {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(Problem);
    expect((error as Problem).status).to.equal(400);
    const errors = (error as Problem).extra.errors as { parameter: string }[] | undefined;
    return { parameter: errors?.[0]?.parameter, detail: (error as Problem).message };
  }
  throw new Error('accepted');
}

describe('cursors (unit)', () => {
  it('read back exactly what was encoded, whatever the sort values', () => {
    fc.assert(
      fc.property(cursors, (cursor) => {
        const back = readCursor(encodeCursor(cursor));
        expect(back).to.deep.equal({ ...cursor, after: cursor.after.map((v) => (Object.is(v, -0) ? 0 : v)) });
      }),
      { numRuns: 500 },
    );
  });

  it('refuse any text this API did not issue, naming the cursor', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^[A-Za-z0-9_-]*$/.test(text) || text.length < 8);
        expect(refusal(() => readCursor(text)).parameter).to.equal('cursor');
      }),
    );
    const forged = Buffer.from(JSON.stringify({ s: -1, a: [], q: '' })).toString('base64url');
    expect(refusal(() => readCursor(forged)).detail).to.equal('cursor is not one this API issued');
  });

  it('continue only the query that issued them, with values of the kinds it sorts by', () => {
    const cursor: Cursor = { snapshot: 3, after: [7, 'x'], query: 'q1' };
    const checks: SortValueCheck[] = [wholeNumber, (v) => (typeof v === 'string' ? undefined : 'not text')];
    expect(checkCursor(cursor, 'q1', checks)).to.equal(cursor);
    expect(refusal(() => checkCursor(cursor, 'q2', checks)).detail).to.equal(
      'cursor belongs to a different query',
    );
    expect(refusal(() => checkCursor(cursor, 'q1', checks.slice(1))).detail).to.equal(
      'cursor belongs to a different query',
    );
    expect(refusal(() => checkCursor({ ...cursor, after: [-1, 'x'] }, 'q1', checks)).detail).to.equal(
      'cursor holds a value its query cannot sort by: -1 is not a whole number',
    );
  });

  it('take as a whole number exactly the safe integers at or above 0', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.string()), (v) => {
        const ok = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
        expect(wholeNumber(v) === undefined).to.equal(ok);
      }),
    );
  });
});

describe('keyset pages (unit)', () => {
  it('serve at most `limit` rows, and a cursor after the last one exactly when more were read', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        (found, limit) => {
          const page = keysetPage(found, limit, (last) => ({ snapshot: 1, after: [last], query: 'q' }));
          expect(page.data).to.deep.equal(found.slice(0, limit));
          if (found.length > limit) {
            expect(readCursor(page.next!)).to.deep.equal({
              snapshot: 1,
              after: [found[limit - 1]],
              query: 'q',
            });
          } else expect(page.next).to.equal(null);
        },
      ),
    );
  });

  it('walk a whole list page by page, each row once and in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer(), { maxLength: 50 }),
        fc.integer({ min: 1, max: 7 }),
        (list, limit) => {
          const sorted = [...list].sort((a, b) => a - b);
          const seen: number[] = [];
          let after: number | undefined;
          for (let pages = 0; pages <= sorted.length; pages++) {
            // As the lists read: rows after the cursor, one beyond the page.
            const found = sorted.filter((n) => after === undefined || n > after).slice(0, limit + 1);
            const page = keysetPage(found, limit, (last) => ({ snapshot: 0, after: [last], query: '' }));
            seen.push(...page.data);
            if (page.next === null) break;
            after = readCursor(page.next).after[0] as number;
          }
          expect(seen).to.deep.equal(sorted);
        },
      ),
    );
  });
});
