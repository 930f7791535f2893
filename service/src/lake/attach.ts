import type { CatalogTarget, StorageTarget } from '../config.js';
import { storageSecretStatement } from './azure.js';
import { literal } from './sql.js';

/** The name the lake is attached under in every DuckDB session. */
export const LAKE = 'lake';

/** DuckDB secrets are kept in memory only (TEMPORARY): a token or key never lands on disk. */
const CATALOG_SECRET = 'odp_catalog';
const STORAGE_SECRET = 'odp_lake_storage';

function catalogUri(catalog: CatalogTarget): string {
  return catalog.kind === 'duckdb' ? `ducklake:${catalog.path}` : `ducklake:postgres:${catalog.conninfo}`;
}

function dataPathUri(dataPath: StorageTarget): string {
  return dataPath.kind === 'local' ? `${dataPath.path.replace(/\/?$/, '/')}` : dataPath.url;
}

/** The PostgreSQL password DuckDB signs in with (an Entra ID token); replaced before each token expires. */
export function catalogSecretStatement(password: string): string {
  return `CREATE OR REPLACE TEMPORARY SECRET ${CATALOG_SECRET} (TYPE postgres, PASSWORD ${literal(password)})`;
}

/**
 * Attaches the lake. `replace` swaps a fresh attachment in atomically: statements that start afterwards use it,
 * while transactions already running finish on the attachment they began with.
 */
export function attachStatement(
  catalog: CatalogTarget,
  dataPath: StorageTarget,
  options: { replace: boolean; withSecret: boolean },
): string {
  const settings = [`DATA_PATH ${literal(dataPathUri(dataPath))}`];
  if (options.withSecret) settings.push(`META_SECRET ${literal(CATALOG_SECRET)}`);
  const verb = options.replace ? 'ATTACH OR REPLACE' : 'ATTACH IF NOT EXISTS';
  return `${verb} ${literal(catalogUri(catalog))} AS ${LAKE} (${settings.join(', ')})`;
}

/**
 * The statements that attach the lake. This is the seam between the pipeline and where the catalog and the
 * files live: the pipeline only ever speaks of `lake.<schema>.<table>`. `catalogPassword` is the current token
 * when the catalog signs in with one.
 */
export function attachStatements(
  catalog: CatalogTarget,
  dataPath: StorageTarget,
  catalogPassword?: string,
): string[] {
  const statements = ['LOAD ducklake'];
  if (catalog.kind === 'postgres') statements.push('LOAD postgres_scanner');
  if (dataPath.kind === 'azure') {
    statements.push('LOAD azure', storageSecretStatement(STORAGE_SECRET, dataPath.service));
  }
  if (catalogPassword !== undefined) statements.push(catalogSecretStatement(catalogPassword));
  statements.push(
    attachStatement(catalog, dataPath, { replace: false, withSecret: catalogPassword !== undefined }),
  );
  return statements;
}
