import type { Dataset } from '../datasets/definition.js';
import { ident } from '../lake/quote.js';
import { sourceColumn } from '../sources/formats/format.js';

/**
 * How a record is recognised from one run to the next: by its key, and by a hash of its content as received.
 *
 * The content hash is stored with each record (`_odp_hash`), so a record received again unchanged is recognised by
 * one join on key and hash, without validating it or comparing its columns (see screen.ts). It is taken over the
 * declared columns' values as the source gave them, before any cast.
 */

/** The stored column that holds the content hash of the record version a table row was last judged against. */
export const CONTENT_HASH_COLUMN = '_odp_hash';

/** The content hash of a staged record (over `_odp_src_<i>`, so before validation). */
export function contentHashSql(dataset: Dataset): string {
  return `hash(${dataset.columns.map((_, i) => sourceColumn(i)).join(', ')})`;
}

/**
 * A hash of the key, one number to group and match by instead of several columns; a collision only sends a few
 * more records through exact comparisons. `columns` maps each key column to its SQL (its name by default).
 */
export function keyHashSql(dataset: Dataset, columns: (key: string) => string = ident): string {
  return `hash(${dataset.key.map(columns).join(', ')})`;
}

/**
 * Two records have the same key: by equality on key columns, which are required; a whole-record identity also
 * matches empty fields to empty fields (a record with an empty field is one record, not a new one each run).
 */
export function keyMatchSql(dataset: Dataset, left: string, right: string): string {
  const equals = dataset.wholeRecord ? 'IS NOT DISTINCT FROM' : '=';
  return dataset.key.map((k) => `${left}.${ident(k)} ${equals} ${right}.${ident(k)}`).join(' AND ');
}
