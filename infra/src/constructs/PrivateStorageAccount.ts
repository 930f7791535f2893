import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account/index.js';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container/index.js';
import type { OdpStack } from './OdpStack.js';
import { privateEndpoint } from './privateEndpoint.js';

export interface PrivateStorageAccountProps {
  name: string;
  /** Hierarchical namespace: the lake's abfss:// paths need it; it also needs a dfs endpoint. */
  hierarchicalNamespace: boolean;
  containers: string[];
  subnetId: string;
  privateDnsZoneIds: { blob: string; dfs?: string };
}

/**
 * A storage account as the environment's policies allow it: no public network access, no shared keys,
 * Entra ID by default, reached over private endpoints, containers made through the management plane
 * (`storage_account_id`) because the data plane is unreachable from where Terraform runs.
 */
export class PrivateStorageAccount {
  readonly account: StorageAccount;
  readonly containers: Record<string, StorageContainer>;

  constructor(stack: OdpStack, id: string, props: PrivateStorageAccountProps) {
    this.account = new StorageAccount(stack, id, {
      ...stack.placement,
      name: props.name,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: 'ZRS',
      isHnsEnabled: props.hierarchicalNamespace,
      publicNetworkAccessEnabled: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      infrastructureEncryptionEnabled: true,
      crossTenantReplicationEnabled: false,
      localUserEnabled: false,
      sftpEnabled: false,
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
      blobProperties: {
        // Versioning is not available with a hierarchical namespace; soft delete is.
        ...(props.hierarchicalNamespace ? {} : { versioningEnabled: true }),
        deleteRetentionPolicy: { days: 30 },
        containerDeleteRetentionPolicy: { days: 30 },
      },
      lifecycle: { preventDestroy: true },
    });
    const endpoints: [string, string | undefined][] = [
      ['blob', props.privateDnsZoneIds.blob],
      ...(props.hierarchicalNamespace
        ? [['dfs', props.privateDnsZoneIds.dfs] as [string, string | undefined]]
        : []),
    ];
    for (const [subresource, zone] of endpoints) {
      if (zone === undefined)
        throw new Error(`storage account ${props.name}: no private DNS zone for ${subresource}`);
      privateEndpoint(stack, `${id}_${subresource}`, props.name, {
        target: this.account.id,
        subresource,
        subnetId: props.subnetId,
        privateDnsZoneId: zone,
      });
    }
    this.containers = Object.fromEntries(
      props.containers.map((name) => [
        name,
        new StorageContainer(stack, `${id}_${name}`, {
          name,
          storageAccountId: this.account.id,
          containerAccessType: 'private',
          lifecycle: { preventDestroy: true },
        }),
      ]),
    );
  }
}
