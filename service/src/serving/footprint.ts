import type { ColumnInfo } from '../api/http/catalogCache.js';

/** Bytes a value of each fixed-width type takes in a DuckDB in-memory table. */
const FIXED: [RegExp, number][] = [
  [/^(BOOLEAN|TINYINT|UTINYINT)$/, 1],
  [/^(SMALLINT|USMALLINT)$/, 2],
  [/^(INTEGER|UINTEGER|FLOAT|REAL|DATE)$/, 4],
  [/^(BIGINT|UBIGINT|DOUBLE|TIMESTAMP.*|TIME.*)$/, 8],
  [/^(HUGEINT|UHUGEINT|UUID|INTERVAL|DECIMAL.*)$/, 16],
];

/**
 * A first guess at a row's size in memory from its columns' types, before a copy was ever built: a string is
 * DuckDB's 16-byte header plus what does not fit in it (measured ~8 bytes on average for short codes and names),
 * anything nested 64. Once a copy is built its measured size per row replaces this guess.
 */
export function estimatedRowBytes(columns: Iterable<Pick<ColumnInfo, 'type'>>): number {
  let total = 0;
  for (const { type } of columns) {
    const fixed = FIXED.find(([pattern]) => pattern.test(type))?.[1];
    // One validity bit per value, rounded up to a byte.
    total += 1 + (fixed ?? (type === 'VARCHAR' ? 24 : 64));
  }
  return total;
}
