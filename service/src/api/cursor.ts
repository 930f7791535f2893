import { z } from 'zod';
import { badRequest } from './problem.js';

/**
 * Where the next page starts: the snapshot the first page read (so pages never drift while new data lands) and
 * the sort values of the last row served. It is bound to the query that issued it.
 */
export interface Cursor {
  snapshot: number;
  after: (string | number | boolean | null)[];
  query: string;
}

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

/** Reads a cursor this API issued; anything else is a 400 saying so. */
export function readCursor(text: string): Cursor {
  let parsed: z.infer<typeof CursorJson>;
  try {
    parsed = CursorJson.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('cursor is not one this API issued', [
      { parameter: 'cursor', message: 'pass the `next` value of a previous page unchanged' },
    ]);
  }
  return { snapshot: parsed.s, after: parsed.a, query: parsed.q };
}

/** A cursor only continues the query that issued it. */
export function checkCursor(cursor: Cursor, query: string, sortLength: number): Cursor {
  if (cursor.query !== query || cursor.after.length !== sortLength) {
    throw badRequest('cursor belongs to a different query', [
      {
        parameter: 'cursor',
        message: 'keep the filters, select and order of the request that returned this cursor',
      },
    ]);
  }
  return cursor;
}
