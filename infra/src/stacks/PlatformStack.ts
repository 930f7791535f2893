import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry/index.js';
import { DataAzurermPrivateDnsZone } from '@cdktf/provider-azurerm/lib/data-azurerm-private-dns-zone/index.js';
import { DataAzurermSubnet } from '@cdktf/provider-azurerm/lib/data-azurerm-subnet/index.js';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import { KubernetesClusterExtension } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-extension/index.js';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool/index.js';
import { KubernetesFluxConfiguration } from '@cdktf/provider-azurerm/lib/kubernetes-flux-configuration/index.js';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace/index.js';
import { PostgresqlFlexibleServer } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server/index.js';
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator/index.js';
import { PostgresqlFlexibleServerDatabase } from '@cdktf/provider-azurerm/lib/postgresql-flexible-server-database/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { NodePool, OdpConfig } from '../config.js';
import { grantRole } from '../constructs/grantRole.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { PrivateStorageAccount } from '../constructs/PrivateStorageAccount.js';
import { privateKeyVault } from '../constructs/privateKeyVault.js';
import { privateDnsZoneNames, subnetNames } from '../network.js';

// Node counts belong to the cluster autoscaler; Terraform must not reset them on every apply.
const autoscaled = (pool: NodePool, temporaryNameForRotation: string) => ({
  name: pool.name,
  vmSize: pool.vmSize,
  autoScalingEnabled: true,
  minCount: pool.minCount,
  maxCount: pool.maxCount,
  // Temp disks and caches are encrypted at host: a hard policy of the environment.
  hostEncryptionEnabled: true,
  zones: ['1', '2', '3'],
  osSku: 'AzureLinux',
  // The OS disk lives on the VM's local disk: faster, and nothing on it needs to outlive the node.
  osDiskType: 'Ephemeral',
  osDiskSizeGb: 64,
  maxPods: 110,
  // Lets changes that need new nodes (VM size, host encryption) rotate the pool instead of failing.
  temporaryNameForRotation,
  upgradeSettings: { maxSurge: '33%' },
});

/**
 * The data platform: the lake's storage, the cluster that runs the service, the catalog database,
 * the vault, and Flux, which takes everything running in the cluster from Git. Applied by GitHub Actions.
 */
export class PlatformStack extends OdpStack {
  constructor(scope: Construct, id: string, config: OdpConfig) {
    super(scope, id, config);
    const { placement } = this;
    const subnet = (key: 'privateEndpoints' | 'postgres' | 'aks') =>
      new DataAzurermSubnet(this, `subnet_${key}`, {
        name: subnetNames[key],
        virtualNetworkName: config.network.name,
        resourceGroupName: this.group.name,
      });
    const subnets = {
      privateEndpoints: subnet('privateEndpoints'),
      postgres: subnet('postgres'),
      aks: subnet('aks'),
    };
    const zoneNames = privateDnsZoneNames(config);
    const zone = (key: keyof typeof zoneNames) =>
      new DataAzurermPrivateDnsZone(this, `zone_${key}`, {
        name: zoneNames[key],
        resourceGroupName: this.group.name,
      });
    const zones = { blob: zone('blob'), dfs: zone('dfs'), vault: zone('vault'), postgres: zone('postgres') };
    const admins = this.adminGroupObjectId.stringValue;

    const lake = new PrivateStorageAccount(this, 'lake', {
      name: config.lake.storageAccount,
      hierarchicalNamespace: true,
      containers: Object.values(config.lake.containers),
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneIds: { blob: zones.blob.id, dfs: zones.dfs.id },
    });

    const logs = new LogAnalyticsWorkspace(this, 'logs', {
      ...placement,
      name: config.logAnalytics.name,
      sku: 'PerGB2018',
      retentionInDays: config.logAnalytics.retentionDays,
    });
    const registry = new ContainerRegistry(this, 'registry', {
      ...placement,
      name: config.registry.name,
      sku: 'Standard',
      adminEnabled: false,
      anonymousPullEnabled: false,
      lifecycle: { preventDestroy: true },
    });

    // The control plane's own identity, so it can join the cluster subnet without a service principal.
    const clusterIdentity = new UserAssignedIdentity(this, 'cluster_identity', {
      ...placement,
      name: `id-${config.aks.name}`,
    });
    const clusterNetwork = grantRole(this, 'cluster_network', {
      scope: subnets.aks.id,
      role: 'Network Contributor',
      principalId: clusterIdentity.principalId,
    });
    // The nodes' own identity, created here so its roles survive a cluster rebuild and are known at plan time.
    const kubeletIdentity = new UserAssignedIdentity(this, 'kubelet_identity', {
      ...placement,
      name: `id-${config.aks.name}-kubelet`,
    });
    const kubeletOperator = grantRole(this, 'cluster_kubelet_operator', {
      scope: kubeletIdentity.id,
      role: 'Managed Identity Operator',
      principalId: clusterIdentity.principalId,
    });
    const cluster = new KubernetesCluster(this, 'cluster', {
      ...placement,
      name: config.aks.name,
      dnsPrefix: config.aks.name,
      kubernetesVersion: config.aks.kubernetesVersion,
      skuTier: 'Standard',
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      identity: { type: 'UserAssigned', identityIds: [clusterIdentity.id] },
      kubeletIdentity: {
        clientId: kubeletIdentity.clientId,
        objectId: kubeletIdentity.principalId,
        userAssignedIdentityId: kubeletIdentity.id,
      },
      defaultNodePool: {
        ...autoscaled(config.aks.systemPool, `${config.aks.systemPool.name}tmp`),
        vnetSubnetId: subnets.aks.id,
        onlyCriticalAddonsEnabled: true,
      },
      // The API server is private: Flux is installed through Azure Resource Manager, people come in over the VPN.
      privateClusterEnabled: true,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: this.client.tenantId,
        adminGroupObjectIds: [admins],
      },
      azurePolicyEnabled: true,
      keyVaultSecretsProvider: { secretRotationEnabled: true, secretRotationInterval: '5m' },
      // The application routing add-on runs the internal NGINX ingress and reads its TLS certificate from Key Vault.
      webAppRouting: { dnsZoneIds: [] },
      storageProfile: { blobDriverEnabled: true, diskDriverEnabled: true, fileDriverEnabled: false },
      omsAgent: { logAnalyticsWorkspaceId: logs.id, msiAuthForMonitoringEnabled: true },
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataPlane: 'cilium',
        networkPolicy: 'cilium',
        podCidr: config.aks.podCidr,
        serviceCidr: config.aks.serviceCidr,
        dnsServiceIp: config.aks.dnsServiceIp,
        loadBalancerSku: 'standard',
      },
      dependsOn: [clusterNetwork, kubeletOperator],
      lifecycle: { ignoreChanges: ['default_node_pool[0].node_count'] },
    });
    new KubernetesClusterNodePool(this, 'work_pool', {
      ...autoscaled(config.aks.workPool, `${config.aks.workPool.name}tmp`),
      kubernetesClusterId: cluster.id,
      vnetSubnetId: subnets.aks.id,
      mode: 'User',
      tags: placement.tags,
      lifecycle: { ignoreChanges: ['node_count'] },
    });
    grantRole(this, 'kubelet_acr_pull', {
      scope: registry.id,
      role: 'AcrPull',
      principalId: kubeletIdentity.principalId,
    });
    // The lake service signs in as this identity through workload identity (no secret anywhere).
    const service = new UserAssignedIdentity(this, 'service_identity', {
      ...placement,
      name: config.service.identity,
    });
    new FederatedIdentityCredential(this, 'service_workload', {
      name: `${config.service.namespace}-${config.service.serviceAccount}`,
      resourceGroupName: this.group.name,
      parentId: service.id,
      issuer: cluster.oidcIssuerUrl,
      audience: ['api://AzureADTokenExchange'],
      subject: `system:serviceaccount:${config.service.namespace}:${config.service.serviceAccount}`,
    });
    // It writes the lake, the raw increments and its data folder (Blob CSI mounts appdata with the pod's
    // workload identity token), and nothing else in the account.
    for (const container of Object.values(config.lake.containers)) {
      grantRole(this, `service_${container}`, {
        scope: lake.containers[container]!.id,
        role: 'Storage Blob Data Contributor',
        principalId: service.principalId,
      });
    }

    // DuckLake's catalog: private access only, Entra ID sign-in only, no password exists.
    const postgres = new PostgresqlFlexibleServer(this, 'catalog', {
      ...placement,
      name: config.postgres.name,
      version: config.postgres.version,
      skuName: config.postgres.skuName,
      storageMb: config.postgres.storageMb,
      autoGrowEnabled: true,
      backupRetentionDays: 14,
      zone: '1',
      delegatedSubnetId: subnets.postgres.id,
      privateDnsZoneId: zones.postgres.id,
      publicNetworkAccessEnabled: false,
      authentication: {
        activeDirectoryAuthEnabled: true,
        passwordAuthEnabled: false,
        tenantId: this.client.tenantId,
      },
      lifecycle: { preventDestroy: true, ignoreChanges: ['zone'] },
    });
    new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, 'catalog_admins', {
      serverName: postgres.name,
      resourceGroupName: this.group.name,
      tenantId: this.client.tenantId,
      objectId: admins,
      principalName: 'odp-admins',
      principalType: 'Group',
    });
    // The service owns the catalog schema it creates; making it an Entra admin avoids a password bootstrap.
    new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, 'catalog_service', {
      serverName: postgres.name,
      resourceGroupName: this.group.name,
      tenantId: this.client.tenantId,
      objectId: service.principalId,
      principalName: service.name,
      principalType: 'ServicePrincipal',
    });
    new PostgresqlFlexibleServerDatabase(this, 'catalog_database', {
      name: config.postgres.database,
      serverId: postgres.id,
      charset: 'UTF8',
      collation: 'en_US.utf8',
      lifecycle: { preventDestroy: true },
    });

    const vault = privateKeyVault(this, 'vault', config.keyVault.name, {
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneId: zones.vault.id,
    });
    grantRole(this, 'admins_vault', {
      scope: vault.id,
      role: 'Key Vault Administrator',
      principalId: admins,
      principalType: 'Group',
    });
    grantRole(this, 'service_vault', {
      scope: vault.id,
      role: 'Key Vault Secrets User',
      principalId: service.principalId,
    });
    grantRole(this, 'ingress_certificates', {
      scope: vault.id,
      role: 'Key Vault Certificate User',
      principalId: cluster.webAppRouting.webAppRoutingIdentity.get(0).objectId,
    });

    // Flux, installed and configured through Azure Resource Manager: CI never needs the cluster's API.
    const flux = new KubernetesClusterExtension(this, 'flux', {
      name: 'flux',
      clusterId: cluster.id,
      extensionType: 'microsoft.flux',
      releaseTrain: 'Stable',
      releaseNamespace: 'flux-system',
      // Releases are image-tag commits made by CI, so Flux's image automation stays off.
      configurationSettings: {
        'image-automation-controller.enabled': 'false',
        'image-reflector-controller.enabled': 'false',
      },
    });
    new KubernetesFluxConfiguration(this, 'flux_configuration', {
      name: config.flux.configuration,
      clusterId: cluster.id,
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
              ODP_IDENTITY_CLIENT_ID: service.clientId,
              ODP_TENANT_ID: this.client.tenantId,
              ODP_RESOURCE_GROUP: config.resourceGroup,
              ODP_STORAGE_ACCOUNT: lake.account.name,
              ODP_PG_HOST: postgres.fqdn,
              ODP_PG_USER: service.name,
              ODP_KEY_VAULT_NAME: vault.name,
              ODP_REGISTRY: registry.loginServer,
              ODP_INGRESS_HOST: config.service.ingressHost,
              ODP_POSTGRES_SUBNET_CIDR: config.network.subnets.postgres,
              ODP_PRIVATE_ENDPOINT_SUBNET_CIDR: config.network.subnets.privateEndpoints,
              ODP_GITHUB_REPOSITORY: `${config.github.owner}/${config.github.repository}`,
            },
          },
        },
      ],
      dependsOn: [flux],
    });

    new TerraformOutput(this, 'service_client_id', { value: service.clientId });
    new TerraformOutput(this, 'storage_account', { value: lake.account.name });
    new TerraformOutput(this, 'postgres_host', { value: postgres.fqdn });
    new TerraformOutput(this, 'registry_login_server', { value: registry.loginServer });
    new TerraformOutput(this, 'cluster_name', { value: cluster.name });
  }
}
