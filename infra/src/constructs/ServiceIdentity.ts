import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { ServiceRole } from '../config.js';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';
import type { PrivateStorageAccount } from './PrivateStorageAccount.js';
import { vaultObject } from './privateKeyVault.js';

export interface ServiceIdentityProps {
  /** The cluster's OIDC issuer, which vouches for the service's Kubernetes service accounts. */
  oidcIssuerUrl: string;
  lake: PrivateStorageAccount;
  vaultId: string;
}

/**
 * The identities the lake service signs in as through workload identity (no secret anywhere), one per
 * ServiceAccount, and what each may touch:
 * - the writer (ingest CronJobs) writes the lake, the raw increments and its data folder (Blob CSI mounts
 *   appdata with the pod's workload-identity token), owns the catalog (see Catalog) and reads the webhook URL;
 * - the API pods read the lake's files and the API keys, and nothing else.
 */
export class ServiceIdentity {
  readonly writer: UserAssignedIdentity;
  readonly api: UserAssignedIdentity;

  constructor(stack: OdpStack, props: ServiceIdentityProps) {
    const { service, keyVault } = stack.config;
    const workloadIdentity = (id: string, role: ServiceRole) => {
      const identity = new UserAssignedIdentity(stack, `${id}_identity`, {
        ...stack.placement,
        name: role.identity,
      });
      new FederatedIdentityCredential(stack, `${id}_workload`, {
        name: `${service.namespace}-${role.serviceAccount}`,
        resourceGroupName: stack.group.name,
        parentId: identity.id,
        issuer: props.oidcIssuerUrl,
        audience: ['api://AzureADTokenExchange'],
        subject: `system:serviceaccount:${service.namespace}:${role.serviceAccount}`,
      });
      return identity;
    };
    this.writer = workloadIdentity('service', service.writer);
    this.api = workloadIdentity('api', service.api);

    for (const [name, container] of Object.entries(props.lake.containers)) {
      grantRole(stack, `service_${name}`, {
        scope: container.id,
        role: 'Storage Blob Data Contributor',
        principalId: this.writer.principalId,
      });
    }
    grantRole(stack, 'service_webhook_url', {
      scope: vaultObject(props.vaultId, 'secrets', keyVault.secrets.webhookUrl),
      role: 'Key Vault Secrets User',
      principalId: this.writer.principalId,
    });

    grantRole(stack, 'api_lake', {
      scope: props.lake.containers[stack.config.lake.containers.lake]!.id,
      role: 'Storage Blob Data Reader',
      principalId: this.api.principalId,
    });
    grantRole(stack, 'api_api_keys', {
      scope: vaultObject(props.vaultId, 'secrets', keyVault.secrets.apiKeys),
      role: 'Key Vault Secrets User',
      principalId: this.api.principalId,
    });
  }
}
