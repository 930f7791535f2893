import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';
import type { PrivateStorageAccount } from './PrivateStorageAccount.js';

export interface ServiceIdentityProps {
  /** The cluster's OIDC issuer, which vouches for the service's Kubernetes service account. */
  oidcIssuerUrl: string;
  lake: PrivateStorageAccount;
  vaultId: string;
}

/**
 * The identity the lake service signs in as through workload identity (no secret anywhere), and what it
 * may touch: its lake containers and the platform vault's secrets.
 */
export class ServiceIdentity {
  readonly identity: UserAssignedIdentity;

  constructor(stack: OdpStack, props: ServiceIdentityProps) {
    const { service } = stack.config;
    this.identity = new UserAssignedIdentity(stack, 'service_identity', {
      ...stack.placement,
      name: service.identity,
    });
    new FederatedIdentityCredential(stack, 'service_workload', {
      name: `${service.namespace}-${service.serviceAccount}`,
      resourceGroupName: stack.group.name,
      parentId: this.identity.id,
      issuer: props.oidcIssuerUrl,
      audience: ['api://AzureADTokenExchange'],
      subject: `system:serviceaccount:${service.namespace}:${service.serviceAccount}`,
    });
    // It writes the lake, the raw increments and its data folder (Blob CSI mounts appdata with the pod's
    // workload identity token), and nothing else in the account.
    for (const [name, container] of Object.entries(props.lake.containers)) {
      grantRole(stack, `service_${name}`, {
        scope: container.id,
        role: 'Storage Blob Data Contributor',
        principalId: this.identity.principalId,
      });
    }
    grantRole(stack, 'service_vault', {
      scope: props.vaultId,
      role: 'Key Vault Secrets User',
      principalId: this.identity.principalId,
    });
  }
}
