import type { OdpConfig } from './config.js';

/** Subnet names: created by the bootstrap stack, looked up by the others. Azure requires `GatewaySubnet`. */
export const subnetNames = {
  gateway: 'GatewaySubnet',
  privateEndpoints: 'snet-private-endpoints',
  postgres: 'snet-postgres',
  runners: 'snet-runners',
  aks: 'snet-aks',
} as const satisfies Record<keyof OdpConfig['network']['subnets'], string>;

/** Private DNS zones that private endpoints and the PostgreSQL server register in. */
export function privateDnsZoneNames(config: OdpConfig) {
  return {
    blob: 'privatelink.blob.core.windows.net',
    dfs: 'privatelink.dfs.core.windows.net',
    vault: 'privatelink.vaultcore.azure.net',
    openai: 'privatelink.openai.azure.com',
    // Flexible Server with private access needs a zone ending in postgres.database.azure.com.
    postgres: `${config.postgres.name}.private.postgres.database.azure.com`,
  } as const;
}
