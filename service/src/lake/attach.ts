import type { CatalogTarget, StorageTarget } from '../config.js';
import { storageSecretStatement } from './azure.js';
import { withApplicationName } from './conninfo.js';
import type { CatalogToken } from './credential.js';
import { literal } from './sql.js';

/** The name the lake is attached under in every DuckDB session. */
export const LAKE = 'lake';

/** DuckDB secrets are kept in memory only (TEMPORARY): a token or key never lands on disk. */
const CATALOG_SECRET = 'odp_catalog';
const STORAGE_SECRET = 'odp_lake_storage';

/**
 * Each sign-in to a PostgreSQL catalog is one generation of the lake's attachment. DuckDB keeps an attachment
 * whose path is unchanged and detaches a replaced one's metadata database by name, so every generation has a
 * path (its application_name) and a metadata database of its own.
 */
export const catalogDatabase = (generation: number): string => `odp_catalog_${generation}`;

function catalogUri(catalog: CatalogTarget, generation: number): string {
  if (catalog.kind === 'duckdb') return `ducklake:${catalog.path}`;
  return `ducklake:postgres:${withApplicationName(catalog.conninfo, `odp-lake-${generation}`)}`;
}

function dataPathUri(dataPath: StorageTarget): string {
  return dataPath.kind === 'local' ? `${dataPath.path.replace(/\/?$/, '/')}` : dataPath.url;
}

/** How DuckDB signs in to the catalog (an Entra ID token as the password); replaced before each token expires. */
export function catalogSecretStatement(token: CatalogToken): string {
  const user = token.user === undefined ? '' : `USER ${literal(token.user)}, `;
  return `CREATE OR REPLACE TEMPORARY SECRET ${CATALOG_SECRET} (TYPE postgres, ${user}PASSWORD ${literal(token.secret)})`;
}

/**
 * Attaches the lake. A later `generation` replaces the attachment atomically: statements that start afterwards
 * use the new one, while transactions already running finish on the one they began with, which then closes its
 * catalog connections.
 */
export function attachStatement(
  catalog: CatalogTarget,
  dataPath: StorageTarget,
  options: { generation: number; withSecret: boolean },
): string {
  const settings = [`DATA_PATH ${literal(dataPathUri(dataPath))}`];
  if (catalog.kind === 'postgres')
    settings.push(`METADATA_CATALOG ${literal(catalogDatabase(options.generation))}`);
  if (options.withSecret) settings.push(`META_SECRET ${literal(CATALOG_SECRET)}`);
  const verb = options.generation > 1 ? 'ATTACH OR REPLACE' : 'ATTACH IF NOT EXISTS';
  return `${verb} ${literal(catalogUri(catalog, options.generation))} AS ${LAKE} (${settings.join(', ')})`;
}

/**
 * The statements that attach the lake. This is the seam between the pipeline and where the catalog and the
 * files live: the pipeline only ever speaks of `lake.<schema>.<table>`. `token` signs in to the catalog when it
 * takes one.
 */
export function attachStatements(
  catalog: CatalogTarget,
  dataPath: StorageTarget,
  token?: CatalogToken,
): string[] {
  const statements = ['LOAD ducklake'];
  if (catalog.kind === 'postgres') statements.push('LOAD postgres_scanner');
  if (dataPath.kind === 'azure') {
    statements.push('LOAD azure', storageSecretStatement(STORAGE_SECRET, dataPath.service));
  }
  if (token) statements.push(catalogSecretStatement(token));
  statements.push(attachStatement(catalog, dataPath, { generation: 1, withSecret: token !== undefined }));
  return statements;
}
