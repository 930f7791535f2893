import type { CatalogTarget } from '../config/config.js';
import { METADATA_DATABASE } from './attach.js';
import { literal } from './quote.js';

/**
 * Indexes DuckLake does not create on a PostgreSQL catalog but reads by on every query: without them each read
 * scans the catalog's file and statistics tables, which grow with every commit. `bench:ingest` measures them.
 */
export const CATALOG_INDEXES = [
  'CREATE INDEX IF NOT EXISTS odp_file_column_stats_table_column ON ducklake_file_column_stats (table_id, column_id)',
  'CREATE INDEX IF NOT EXISTS odp_data_file_table ON ducklake_data_file (table_id, begin_snapshot)',
  'CREATE INDEX IF NOT EXISTS odp_delete_file_table ON ducklake_delete_file (table_id, begin_snapshot)',
] as const;

/** The statements that create the catalog indexes (none for a DuckDB-file catalog, which needs none). */
export function catalogIndexStatements(catalog: CatalogTarget): string[] {
  if (catalog.kind !== 'postgres') return [];
  const database = literal(METADATA_DATABASE);
  return CATALOG_INDEXES.map((sql) => `CALL postgres_execute(${database}, ${literal(sql)})`);
}
