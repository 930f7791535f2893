import type { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault/index.js';
import { KubernetesClusterExtension } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-extension/index.js';
import { KubernetesFluxConfiguration } from '@cdktf/provider-azurerm/lib/kubernetes-flux-configuration/index.js';
import type { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server/index.js';
import type { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account/index.js';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { Fn } from 'cdktf';
import type { Cluster } from './Cluster.js';
import type { LanguageModel } from './LanguageModel.js';
import type { OdpStack } from './OdpStack.js';

/** What the manifests need to know of the platform. */
export interface FluxProps {
  cluster: Cluster;
  /** The ingest CronJobs' identity. */
  writer: UserAssignedIdentity;
  /** The API pods' identity. */
  api: UserAssignedIdentity;
  lake: StorageAccount;
  catalog: PostgresqlFlexibleServer;
  vault: KeyVault;
  languageModel: LanguageModel;
}

/**
 * Flux, installed and configured through Azure Resource Manager (CI never needs the cluster's API), which
 * takes everything running in the cluster from Git.
 */
export class Flux {
  constructor(stack: OdpStack, props: FluxProps) {
    const { config } = stack;
    const clusterId = props.cluster.aks.id;
    const extension = new KubernetesClusterExtension(stack, 'flux', {
      name: 'flux',
      clusterId,
      extensionType: 'microsoft.flux',
      releaseTrain: 'Stable',
      releaseNamespace: 'flux-system',
      // Releases are image-tag commits made by CI, so Flux's image automation stays off.
      configurationSettings: {
        'image-automation-controller.enabled': 'false',
        'image-reflector-controller.enabled': 'false',
      },
    });
    new KubernetesFluxConfiguration(stack, 'flux_configuration', {
      name: config.flux.configuration,
      clusterId,
      namespace: 'flux-system',
      scope: 'cluster',
      gitRepository: {
        url: `https://github.com/${config.github.owner}/${config.github.repository}`,
        referenceType: 'branch',
        referenceValue: config.github.branch,
        syncIntervalInSeconds: 60,
      },
      kustomizations: [
        {
          name: 'cluster',
          path: config.flux.path,
          garbageCollectionEnabled: true,
          syncIntervalInSeconds: 120,
          retryIntervalInSeconds: 60,
          timeoutInSeconds: 600,
          // Terraform's values reach the manifests here, so none of them is committed to Git.
          postBuild: {
            substitute: {
              ODP_IDENTITY_CLIENT_ID: props.writer.clientId,
              ODP_API_IDENTITY_CLIENT_ID: props.api.clientId,
              ODP_TENANT_ID: stack.client.tenantId,
              ODP_RESOURCE_GROUP: config.resourceGroup,
              ODP_STORAGE_ACCOUNT: props.lake.name,
              ODP_PG_HOST: props.catalog.fqdn,
              ODP_PG_USER: props.writer.name,
              ODP_PG_API_USER: props.api.name,
              ODP_KEY_VAULT_NAME: props.vault.name,
              ODP_REGISTRY: props.cluster.registry.loginServer,
              ODP_INGRESS_HOST: config.service.ingressHost,
              ODP_POSTGRES_SUBNET_CIDR: config.network.subnets.postgres,
              ODP_PRIVATE_ENDPOINT_SUBNET_CIDR: config.network.subnets.privateEndpoints,
              // Without its trailing slash, so the manifests append API paths to it.
              ODP_OPENAI_ENDPOINT: Fn.trimsuffix(props.languageModel.account.endpoint, '/'),
              ODP_OPENAI_DEPLOYMENT: props.languageModel.deployment.name,
              ODP_GITHUB_REPOSITORY: `${config.github.owner}/${config.github.repository}`,
            },
          },
        },
      ],
      dependsOn: [extension],
    });
  }
}
