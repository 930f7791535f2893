import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server/index.js';
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator/index.js';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database/index.js';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { OdpStack } from './OdpStack.js';

export interface CatalogProps {
  /** The subnet delegated to PostgreSQL flexible servers. */
  subnetId: string;
  privateDnsZoneId: string;
  /** The lake service, which owns the catalog schema. */
  service: UserAssignedIdentity;
}

/**
 * DuckLake's catalog: a PostgreSQL flexible server with private access only and Entra ID sign-in only, so no
 * password exists.
 */
export class Catalog {
  readonly server: PostgresqlFlexibleServer;

  constructor(stack: OdpStack, props: CatalogProps) {
    const { postgres } = stack.config;
    const tenantId = stack.client.tenantId;
    this.server = new PostgresqlFlexibleServer(stack, 'catalog', {
      ...stack.placement,
      name: postgres.name,
      version: postgres.version,
      skuName: postgres.skuName,
      storageMb: postgres.storageMb,
      autoGrowEnabled: true,
      backupRetentionDays: 14,
      zone: '1',
      delegatedSubnetId: props.subnetId,
      privateDnsZoneId: props.privateDnsZoneId,
      publicNetworkAccessEnabled: false,
      authentication: { activeDirectoryAuthEnabled: true, passwordAuthEnabled: false, tenantId },
      lifecycle: { preventDestroy: true, ignoreChanges: ['zone'] },
    });
    new PostgresqlFlexibleServerActiveDirectoryAdministrator(stack, 'catalog_admins', {
      serverName: this.server.name,
      resourceGroupName: stack.group.name,
      tenantId,
      objectId: stack.adminGroupObjectId.stringValue,
      principalName: 'odp-admins',
      principalType: 'Group',
    });
    // The service owns the catalog schema it creates; making it an Entra admin avoids a password bootstrap.
    new PostgresqlFlexibleServerActiveDirectoryAdministrator(stack, 'catalog_service', {
      serverName: this.server.name,
      resourceGroupName: stack.group.name,
      tenantId,
      objectId: props.service.principalId,
      principalName: props.service.name,
      principalType: 'ServicePrincipal',
    });
    new PostgresqlFlexibleServerDatabase(stack, 'catalog_database', {
      name: postgres.database,
      serverId: this.server.id,
      charset: 'UTF8',
      collation: 'en_US.utf8',
      lifecycle: { preventDestroy: true },
    });
  }
}
