import type { CatalogTarget } from '../../config/config.js';
import { type EntraCredential, entraCredential } from '../../entra/token.js';

/** The audience Azure Database for PostgreSQL accepts Entra ID tokens for. */
export const POSTGRES_ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

/**
 * The credential the catalog's configuration asks for: the managed identity's token, used as the PostgreSQL
 * password; none when libpq signs in by its own means.
 */
export function catalogCredential(catalog: CatalogTarget): EntraCredential | undefined {
  return catalog.kind === 'postgres' && catalog.auth === 'entra'
    ? entraCredential(POSTGRES_ENTRA_SCOPE)
    : undefined;
}
