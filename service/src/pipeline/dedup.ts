import type { Dataset } from '../datasets/definition.js';
import { ident, literal } from '../lake/quote.js';
import { CONTENT_HASH_COLUMN, keyMatchSql } from './identity.js';

/**
 * Dedup, in two steps, both set-based:
 * 1. within the batch (`ranked`): per key, the newest version wins (a later record breaks a tie). Older versions and
 *    exact copies are left alone; a record with the winner's version but other content is a conflict and is
 *    quarantined, since nothing says which of the two is right.
 * 2. against the lake (`planned`, the records to insert or update): a new key is inserted, a newer version
 *    updates, an identical or older one is left alone. Without a version column, changed content updates.
 */

const keyList = (dataset: Dataset, alias = ''): string =>
  dataset.key.map((k) => `${alias}${ident(k)}`).join(', ');

/** A hash of the typed record, to tell an exact copy from a conflicting one. */
function typedContentHash(dataset: Dataset): string {
  return `hash(${dataset.columns.map((c) => ident(c.name)).join(', ')})`;
}

/**
 * Most batches repeat few keys or none, so only the records of repeated keys are ranked (a window over a small
 * set); the rest are candidates as they are. Repeats are found by sorting the key hashes and comparing
 * neighbours, which is cheaper than grouping when almost every key is distinct.
 */
export function rankedSql(dataset: Dataset): string[] {
  const order = dataset.version
    ? `${ident(dataset.version)} DESC NULLS LAST, _odp_seq DESC`
    : '_odp_seq DESC';
  const conflict = dataset.version
    ? `_odp_rank > 1 AND ${ident(dataset.version)} = first_value(${ident(dataset.version)}) OVER w AND _odp_content <> first_value(_odp_content) OVER w`
    : 'false';
  return [
    `CREATE OR REPLACE TEMP TABLE repeated_keys AS
     SELECT DISTINCT _odp_key_hash
     FROM (SELECT _odp_key_hash, lead(_odp_key_hash) OVER (ORDER BY _odp_key_hash) AS _odp_next FROM enriched)
     WHERE _odp_key_hash = _odp_next`,
    `CREATE OR REPLACE TEMP TABLE ranked AS
     SELECT *, CASE WHEN _odp_rank = 1 THEN 'candidate' WHEN ${conflict} THEN 'conflict' ELSE 'duplicate' END AS _odp_class,
            first_value(_odp_seq) OVER w AS _odp_kept_seq
     FROM (SELECT *, ${typedContentHash(dataset)} AS _odp_content, row_number() OVER w AS _odp_rank
           FROM enriched WHERE _odp_key_hash IN (SELECT _odp_key_hash FROM repeated_keys)
           WINDOW w AS (PARTITION BY ${keyList(dataset)} ORDER BY ${order}))
     WINDOW w AS (PARTITION BY ${keyList(dataset)} ORDER BY ${order})`,
  ];
}

/** Each key once: the records of unrepeated keys, and the winner of each repeated one. */
const CANDIDATES = `
  SELECT * FROM enriched WHERE _odp_key_hash NOT IN (SELECT _odp_key_hash FROM repeated_keys)
  UNION ALL BY NAME
  SELECT * EXCLUDE (_odp_content, _odp_rank, _odp_class, _odp_kept_seq) FROM ranked WHERE _odp_class = 'candidate'`;

/** The message a conflicting in-batch duplicate is quarantined with. */
export function conflictMessageSql(dataset: Dataset): string {
  const key = dataset.key.map((k) => `'${k}=' || ${ident(k)}::VARCHAR`).join(` || ', ' || `);
  const version = dataset.version ?? '';
  return `format(${literal(`duplicate key ({}) in this batch with the same ${version} and different content; kept record {}`)}, ${key}, _odp_kept_seq)`;
}

/**
 * `existingTable` is the dataset's lake table, or undefined before its first commit. A candidate that changes
 * nothing but whose content hash differs from the stored one (stored before hashes were kept, or received in
 * another representation) is planned as `rehash`: only its stored hash is refreshed, so the screen recognises it
 * next time.
 */
export function plannedSql(
  dataset: Dataset,
  existingTable: string | undefined,
  existingColumns: ReadonlySet<string>,
): string {
  if (!existingTable) {
    // Everything is new: the commit reads the candidates straight into the lake, with no copy in between.
    return `CREATE OR REPLACE TEMP VIEW planned AS SELECT *, 'insert' AS _odp_action FROM (${CANDIDATES})`;
  }
  const on = keyMatchSql(dataset, 'r', 't');
  const compared = dataset.columns.map((c) => c.name).filter((c) => existingColumns.has(c));
  const changed = dataset.version
    ? `r.${ident(dataset.version)} > t.${ident(dataset.version)}`
    : `(${compared.map((c) => `r.${ident(c)}`).join(', ')}) IS DISTINCT FROM (${compared.map((c) => `t.${ident(c)}`).join(', ')})`;
  const fetched = [...new Set([...dataset.key, ...(dataset.version ? [dataset.version] : compared)])];
  const storedHash = existingColumns.has(CONTENT_HASH_COLUMN) ? ident(CONTENT_HASH_COLUMN) : 'NULL::UBIGINT';
  // Only what changes is kept: an unchanged re-run materializes nothing, and its count is derived.
  return `
    CREATE OR REPLACE TEMP TABLE planned AS
    SELECT * FROM (
      SELECT r.*, CASE WHEN t._odp_present IS NULL THEN 'insert' WHEN ${changed} THEN 'update'
                       WHEN r._odp_hash IS DISTINCT FROM t._odp_stored_hash THEN 'rehash' END AS _odp_action
      FROM (${CANDIDATES}) r
      LEFT JOIN (SELECT ${fetched.map(ident).join(', ')}, ${storedHash} AS _odp_stored_hash, true AS _odp_present
                 FROM ${existingTable}) t ON ${on})
    WHERE _odp_action IS NOT NULL`;
}
