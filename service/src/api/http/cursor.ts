import { z } from 'zod';
import { badRequest, type Problem } from './problem.js';

/**
 * Where the next page starts: the snapshot the first page read (so pages never drift while new data lands) and
 * the sort values of the last row served. It is bound to the query that issued it.
 */
export interface Cursor {
  snapshot: number;
  after: (string | number | boolean | null)[];
  query: string;
}

/** A value a page's `next` carried; the server reads it back, and answers 400 for one it did not issue. */
export const CursorParameter = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be the `next` value of a previous page')
  .max(4096)
  .optional()
  .describe('the `next` value of the previous page, unchanged');

const CursorJson = z.object({
  s: z.number().int().nonnegative(),
  a: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).max(64),
  q: z.string(),
});

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.snapshot, a: cursor.after, q: cursor.query })).toString(
    'base64url',
  );
}

/** A cursor that cannot continue any page: a 400 naming the parameter, saying what is wrong with it. */
export function invalidCursor(why: string): Problem {
  return badRequest(`cursor ${why}`, [
    { parameter: 'cursor', message: `${why}; pass the \`next\` value of a previous page unchanged` },
  ]);
}

/** Reads a cursor this API issued; anything else is a 400 saying so. */
export function readCursor(text: string): Cursor {
  let parsed: z.infer<typeof CursorJson>;
  try {
    parsed = CursorJson.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw invalidCursor('is not one this API issued');
  }
  return { snapshot: parsed.s, after: parsed.a, query: parsed.q };
}

export type CursorValue = Cursor['after'][number];

/** Why a cursor's value cannot be the value of its sort term, or undefined when it can. */
export type SortValueCheck = (value: CursorValue) => string | undefined;

/** A whole number: a snapshot id, a row id, a rank. */
export const wholeNumber: SortValueCheck = (value) =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `${value} is not a whole number`;

/**
 * A cursor only continues the query that issued it, and its sort values are of the kinds that query sorts by, so
 * a tampered one is a 400 before it reaches SQL.
 */
export function checkCursor(cursor: Cursor, query: string, sortValues: SortValueCheck[]): Cursor {
  if (cursor.query !== query || cursor.after.length !== sortValues.length) {
    throw badRequest('cursor belongs to a different query', [
      {
        parameter: 'cursor',
        message: 'keep the filters, select and order of the request that returned this cursor',
      },
    ]);
  }
  const problems = sortValues.flatMap((check, i) => check(cursor.after[i] as CursorValue) ?? []);
  if (problems.length) throw invalidCursor(`holds a value its query cannot sort by: ${problems.join('; ')}`);
  return cursor;
}
