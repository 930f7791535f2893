import type { DuckDBConnection } from '@duckdb/node-api';
import type { Dataset } from '../datasets/definition.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import type { StagedText } from '../sources/formats/format.js';
import { CONTENT_HASH_COLUMN, contentHashSql, keyHashSql, keyMatchSql } from './identity.js';
import { typedSourceSql } from './validate.js';

/**
 * Screen: `incoming` becomes `screened`, the records the rest of the pipeline has to look at. A record whose key
 * and content hash match the stored row was judged before, unchanged, and would be judged so again: it goes no
 * further and counts as unchanged. So an unchanged re-run costs one join, not a validation and a comparison of
 * every column.
 *
 * A key with any record that is new or changed keeps all of its records in the batch, so that dedup still ranks
 * them together (which of two versions wins, and which same-version copy is a conflict) exactly as without the
 * screen. Records stored before the content hash existed, or judged against another representation, carry no
 * matching hash: they are compared in full once and their hash refreshed (see `plannedSql`).
 *
 * A screened run does not re-check records against a rule that changed since they were stored; a run with
 * `recheck` (`odp ingest --recheck`) looks at every record it receives, as a first load would.
 */
export async function screen(
  connection: DuckDBConnection,
  dataset: Dataset,
  table: string | undefined,
  existing: ReadonlySet<string>,
  recheck: boolean,
  text: StagedText,
): Promise<void> {
  if (!table || recheck || !existing.has(CONTENT_HASH_COLUMN)) {
    await connection.run('CREATE OR REPLACE TEMP VIEW screened AS SELECT * FROM incoming');
    return;
  }
  await connection.run(changedKeysSql(dataset, table, text));
  const [found] = await rows<{ n: string }>(connection, 'SELECT count(*) AS n FROM changed_keys');
  // Nothing changed: `screened` is empty without reading the batch a second time.
  await connection.run(
    Number(found?.n) === 0
      ? 'CREATE OR REPLACE TEMP VIEW screened AS SELECT * FROM incoming LIMIT 0'
      : `CREATE OR REPLACE TEMP TABLE screened AS SELECT * FROM incoming
         WHERE ${keyHashSql(dataset, typedKey(dataset, text))} IN (SELECT _odp_key_hash FROM changed_keys)`,
  );
}

/** A key column's value as validation will type it, read straight from the staged record. */
function typedKey(dataset: Dataset, text: StagedText): (key: string) => string {
  return (key) =>
    typedSourceSql(
      dataset,
      dataset.columns.findIndex((c) => c.name === key),
      text,
    );
}

/** The keys that have at least one record not stored as received: new keys, and keys with changed content. */
function changedKeysSql(dataset: Dataset, table: string, text: StagedText): string {
  const keys = dataset.key.map((k) => `${typedKey(dataset, text)(k)} AS ${ident(k)}`);
  return `
    CREATE OR REPLACE TEMP TABLE changed_keys AS
    SELECT DISTINCT ${keyHashSql(dataset)} AS _odp_key_hash
    FROM (SELECT ${keys.join(', ')}, ${contentHashSql(dataset)} AS _odp_hash FROM incoming) r
    ANTI JOIN (SELECT ${dataset.key.map(ident).join(', ')}, ${ident(CONTENT_HASH_COLUMN)} AS _odp_hash FROM ${table}) t
      ON ${keyMatchSql(dataset, 'r', 't')} AND r._odp_hash = t._odp_hash`;
}
