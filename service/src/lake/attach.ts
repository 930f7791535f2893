import type { CatalogTarget, StorageTarget } from '../config.js';
import { literal } from './sql.js';

/** The name the lake is attached under in every DuckDB session. */
export const LAKE = 'lake';

function catalogUri(catalog: CatalogTarget): string {
  return catalog.kind === 'duckdb' ? `ducklake:${catalog.path}` : `ducklake:postgres:${catalog.conninfo}`;
}

function dataPathUri(dataPath: StorageTarget): string {
  return dataPath.kind === 'local'
    ? `${dataPath.path.replace(/\/?$/, '/')}`
    : dataPath.url.replace(/\/?$/, '/');
}

/**
 * The statements that attach the lake. This is the seam between the pipeline and where the catalog and the
 * files live: the pipeline only ever speaks of `lake.<schema>.<table>`.
 */
export function attachStatements(catalog: CatalogTarget, dataPath: StorageTarget): string[] {
  const extensions = ['LOAD ducklake'];
  if (catalog.kind === 'postgres') extensions.push('LOAD postgres_scanner');
  if (dataPath.kind === 'azure') extensions.push('LOAD azure');
  return [
    ...extensions,
    `ATTACH IF NOT EXISTS ${literal(catalogUri(catalog))} AS ${LAKE} (DATA_PATH ${literal(dataPathUri(dataPath))})`,
  ];
}
