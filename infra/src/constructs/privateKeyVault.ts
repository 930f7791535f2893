import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault/index.js';
import type { OdpStack } from './OdpStack.js';
import { privateEndpoint } from './privateEndpoint.js';

export interface PrivateKeyVaultProps {
  subnetId: string;
  privateDnsZoneId: string;
}

/**
 * A Key Vault reached only over its private endpoint: RBAC instead of access policies, purge protection, and no
 * public network access. The endpoint's id is `<id>_vault`.
 */
export function privateKeyVault(
  stack: OdpStack,
  id: string,
  name: string,
  props: PrivateKeyVaultProps,
): KeyVault {
  const vault = new KeyVault(stack, id, {
    ...stack.placement,
    name,
    tenantId: stack.client.tenantId,
    skuName: 'standard',
    rbacAuthorizationEnabled: true,
    purgeProtectionEnabled: true,
    softDeleteRetentionDays: 90,
    publicNetworkAccessEnabled: false,
    networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
    lifecycle: { preventDestroy: true },
  });
  privateEndpoint(stack, `${id}_vault`, name, { target: vault.id, subresource: 'vault', ...props });
  return vault;
}

/** A Key Vault object's own scope, so a role reaches that one secret or certificate and not the rest of the vault. */
export const vaultObject = (vaultId: string, kind: 'secrets' | 'certificates', name: string) =>
  `${vaultId}/${kind}/${name}`;
