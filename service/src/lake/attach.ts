import type { CatalogTarget, StorageTarget } from '../config/config.js';
import { withPassfile } from '../config/conninfo.js';
import { literal } from './quote.js';
import { storageSecretStatement } from './storageSecret.js';

/** The name the lake is attached under in every DuckDB session. */
export const LAKE = 'lake';

/** DuckLake attaches its own catalog database (DuckDB file or PostgreSQL) under this name. */
export const METADATA_DATABASE = `__ducklake_metadata_${LAKE}`;

/** DuckDB secrets are kept in memory only (TEMPORARY): a key never lands on disk. */
const STORAGE_SECRET = 'odp_lake_storage';

/**
 * `passfile` holds the current catalog token. libpq reads it for every new connection, so a renewed token reaches
 * new catalog connections without touching the attachment or the connections already open.
 */
function catalogUri(catalog: CatalogTarget, passfile: string | undefined): string {
  if (catalog.kind === 'duckdb') return `ducklake:${catalog.path}`;
  return `ducklake:postgres:${passfile ? withPassfile(catalog.conninfo, passfile) : catalog.conninfo}`;
}

function dataPathUri(dataPath: StorageTarget): string {
  return dataPath.kind === 'local' ? `${dataPath.path.replace(/\/?$/, '/')}` : dataPath.url;
}

/**
 * The statements that attach the lake. This is the seam between the pipeline and where the catalog and the
 * files live: the pipeline only ever speaks of `lake.<schema>.<table>`. `passfile` is where the catalog's
 * current sign-in token is kept, when it signs in with one.
 */
export function attachStatements(
  catalog: CatalogTarget,
  dataPath: StorageTarget,
  passfile?: string,
): string[] {
  const statements = ['LOAD ducklake'];
  if (catalog.kind === 'postgres') statements.push('LOAD postgres_scanner');
  if (dataPath.kind === 'azure') {
    statements.push('LOAD azure', storageSecretStatement(STORAGE_SECRET, dataPath.service));
  }
  statements.push(
    `ATTACH IF NOT EXISTS ${literal(catalogUri(catalog, passfile))} AS ${LAKE} (DATA_PATH ${literal(dataPathUri(dataPath))})`,
  );
  return statements;
}
