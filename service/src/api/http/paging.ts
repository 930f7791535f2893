import { type Cursor, encodeCursor } from './cursor.js';

/** One page of a keyset-paged list and the cursor of the next, null on the last page. */
export interface Page<T> {
  data: T[];
  next: string | null;
}

/**
 * A page from rows read one beyond `limit`: that extra row only says whether there is a next page, whose cursor
 * continues after the page's last row (`cursorAfter` names its sort values).
 */
export function keysetPage<T>(found: T[], limit: number, cursorAfter: (last: T) => Cursor): Page<T> {
  const data = found.slice(0, limit);
  const last = data.at(-1);
  return {
    data,
    next: found.length > limit && last !== undefined ? encodeCursor(cursorAfter(last)) : null,
  };
}
