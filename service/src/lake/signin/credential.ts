import { DefaultAzureCredential } from '@azure/identity';
import type { CatalogTarget } from '../../config/config.js';

/** A short-lived secret that signs the service in to the PostgreSQL catalog, and when it stops working. */
export interface CatalogToken {
  secret: string;
  expiresAt: Date;
}

/** Where catalog tokens come from. The service asks again before each one expires. */
export interface CatalogCredential {
  token(): Promise<CatalogToken>;
  /** For logs: what kind of credential this is, never the secret. */
  readonly description: string;
}

/** The audience Azure Database for PostgreSQL accepts Entra ID tokens for. */
export const POSTGRES_ENTRA_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

/**
 * The managed identity's Entra ID access token (workload identity in AKS; managed identity, environment or the
 * Azure CLI elsewhere), used as the PostgreSQL password.
 */
export function entraCatalogCredential(): CatalogCredential {
  const azure = new DefaultAzureCredential();
  return {
    description: 'Entra ID access token (DefaultAzureCredential)',
    token: async () => {
      const token = await azure.getToken(POSTGRES_ENTRA_SCOPE);
      return { secret: token.token, expiresAt: new Date(token.expiresOnTimestamp) };
    },
  };
}

/** The credential the catalog's configuration asks for; none when libpq signs in by its own means. */
export function catalogCredential(catalog: CatalogTarget): CatalogCredential | undefined {
  return catalog.kind === 'postgres' && catalog.auth === 'entra' ? entraCatalogCredential() : undefined;
}
