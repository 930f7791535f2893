import type { Dataset } from '../datasets/definition.js';
import { ident, literal } from '../lake/quote.js';

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

function contentHash(dataset: Dataset): string {
  return `hash(${dataset.columns.map((c) => ident(c.name)).join(', ')})`;
}

const keyHash = (dataset: Dataset): string => `hash(${keyList(dataset)})`;

/**
 * Most batches repeat few keys or none, so only the records of repeated keys are ranked (a window over a small
 * set); the rest are candidates as they are. Repeats are found by a hash of the key, one number to group by
 * instead of several columns; a collision only sends a few more records through the exact ranking.
 */
export function rankedSql(dataset: Dataset): string[] {
  const order = dataset.version
    ? `${ident(dataset.version)} DESC NULLS LAST, _odp_seq DESC`
    : '_odp_seq DESC';
  const conflict = dataset.version
    ? `_odp_rank > 1 AND ${ident(dataset.version)} = first_value(${ident(dataset.version)}) OVER w AND _odp_hash <> first_value(_odp_hash) OVER w`
    : 'false';
  return [
    `CREATE OR REPLACE TEMP TABLE repeated_keys AS
     SELECT ${keyHash(dataset)} AS _odp_key_hash FROM enriched GROUP BY ALL HAVING count(*) > 1`,
    `CREATE OR REPLACE TEMP TABLE ranked AS
     SELECT *, CASE WHEN _odp_rank = 1 THEN 'candidate' WHEN ${conflict} THEN 'conflict' ELSE 'duplicate' END AS _odp_class,
            first_value(_odp_seq) OVER w AS _odp_kept_seq
     FROM (SELECT *, ${contentHash(dataset)} AS _odp_hash, row_number() OVER w AS _odp_rank
           FROM enriched WHERE ${keyHash(dataset)} IN (SELECT _odp_key_hash FROM repeated_keys)
           WINDOW w AS (PARTITION BY ${keyList(dataset)} ORDER BY ${order}))
     WINDOW w AS (PARTITION BY ${keyList(dataset)} ORDER BY ${order})`,
  ];
}

/** Each key once: the records of unrepeated keys, and the winner of each repeated one. */
const candidates = (dataset: Dataset): string => `
  SELECT * FROM enriched WHERE ${keyHash(dataset)} NOT IN (SELECT _odp_key_hash FROM repeated_keys)
  UNION ALL BY NAME
  SELECT * EXCLUDE (_odp_hash, _odp_rank, _odp_class, _odp_kept_seq) FROM ranked WHERE _odp_class = 'candidate'`;

/** The message a conflicting in-batch duplicate is quarantined with. */
export function conflictMessageSql(dataset: Dataset): string {
  const key = dataset.key.map((k) => `'${k}=' || ${ident(k)}::VARCHAR`).join(` || ', ' || `);
  const version = dataset.version ?? '';
  return `format(${literal(`duplicate key ({}) in this batch with the same ${version} and different content; kept record {}`)}, ${key}, _odp_kept_seq)`;
}

/**
 * Two records have the same key: by equality on key columns, which are required; a whole-record identity also
 * matches empty fields to empty fields (a record with an empty field is one record, not a new one each run).
 */
export function keyMatchSql(dataset: Dataset, left: string, right: string): string {
  const equals = dataset.wholeRecord ? 'IS NOT DISTINCT FROM' : '=';
  return dataset.key.map((k) => `${left}.${ident(k)} ${equals} ${right}.${ident(k)}`).join(' AND ');
}

/** `existingTable` is the dataset's lake table, or undefined before its first commit. */
export function plannedSql(
  dataset: Dataset,
  existingTable: string | undefined,
  existingColumns: ReadonlySet<string>,
): string {
  if (!existingTable) {
    // Everything is new: the commit reads the candidates straight into the lake, with no copy in between.
    return `CREATE OR REPLACE TEMP VIEW planned AS SELECT *, 'insert' AS _odp_action FROM (${candidates(dataset)})`;
  }
  const on = keyMatchSql(dataset, 'r', 't');
  const compared = dataset.columns.map((c) => c.name).filter((c) => existingColumns.has(c));
  const changed = dataset.version
    ? `r.${ident(dataset.version)} > t.${ident(dataset.version)}`
    : `(${compared.map((c) => `r.${ident(c)}`).join(', ')}) IS DISTINCT FROM (${compared.map((c) => `t.${ident(c)}`).join(', ')})`;
  const fetched = [...new Set([...dataset.key, ...(dataset.version ? [dataset.version] : compared)])];
  // Only what changes is kept: an unchanged re-run materializes nothing, and its count is derived.
  return `
    CREATE OR REPLACE TEMP TABLE planned AS
    SELECT * FROM (
      SELECT r.*, CASE WHEN t._odp_present IS NULL THEN 'insert' WHEN ${changed} THEN 'update' END AS _odp_action
      FROM (${candidates(dataset)}) r
      LEFT JOIN (SELECT ${fetched.map(ident).join(', ')}, true AS _odp_present FROM ${existingTable}) t ON ${on})
    WHERE _odp_action IS NOT NULL`;
}
