import type { Dataset } from '../datasets/definition.js';
import { ident } from '../lake/quote.js';
import { CONTENT_HASH_COLUMN } from './identity.js';

/**
 * Enrich: the valid records of `checked` with the dataset's derived columns, as the view `enriched`.
 * Each enrichment is a SQL expression over the whole batch; later ones may use earlier ones.
 */
export function enrichedSql(dataset: Dataset): string {
  // Summaries are filled in after this view, from the model or its cache (see summarize.ts).
  const derived = dataset.enrich.map((e) => {
    if (!('expr' in e)) return `NULL::VARCHAR AS ${ident(e.name)}`;
    const value = e.type ? `CAST((${e.expr}) AS ${e.type})` : `(${e.expr})`;
    return `${value} AS ${ident(e.name)}`;
  });
  const columns = dataset.columns.map((c) => ident(c.name));
  return `
    CREATE OR REPLACE TEMP VIEW enriched AS
    SELECT _odp_seq, _odp_raw, _odp_hash, _odp_key_hash, ${[...columns, ...derived].join(', ')}
    FROM checked WHERE _odp_issues IS NULL`;
}

/** The columns a dataset's lake table holds, in order: declared, derived, ODP's provenance, the content hash. */
export function storedColumns(dataset: Dataset): string[] {
  return [
    ...dataset.columns.map((c) => c.name),
    ...dataset.enrich.map((e) => e.name),
    ...PROVENANCE_COLUMNS,
    CONTENT_HASH_COLUMN,
  ];
}

/** Which run wrote a record's current version, and when. */
export const PROVENANCE_COLUMNS = ['_odp_run_id', '_odp_ingested_at'] as const;
