import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry/index.js';
import { DataAzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity/index.js';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool/index.js';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { NodePool } from '../config.js';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';
import { vaultObject } from './privateKeyVault.js';

export interface ClusterProps {
  subnetId: string;
  /** The Key Vault the ingress reads its TLS certificate from. */
  certificateVaultId: string;
}

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
 * The private AKS cluster that runs the service: its system and work pools, the identities of its control
 * plane and nodes, the registry the nodes pull images from and the workspace its monitoring writes to.
 */
export class Cluster {
  readonly aks: KubernetesCluster;
  readonly registry: ContainerRegistry;

  constructor(stack: OdpStack, props: ClusterProps) {
    const { config, placement } = stack;
    const logs = new LogAnalyticsWorkspace(stack, 'logs', {
      ...placement,
      name: config.logAnalytics.name,
      sku: 'PerGB2018',
      retentionInDays: config.logAnalytics.retentionDays,
    });
    this.registry = new ContainerRegistry(stack, 'registry', {
      ...placement,
      name: config.registry.name,
      sku: 'Standard',
      adminEnabled: false,
      anonymousPullEnabled: false,
      lifecycle: { preventDestroy: true },
    });

    // The control plane's own identity, so it can join the cluster subnet without a service principal.
    const clusterIdentity = new UserAssignedIdentity(stack, 'cluster_identity', {
      ...placement,
      name: `id-${config.aks.name}`,
    });
    const clusterNetwork = grantRole(stack, 'cluster_network', {
      scope: props.subnetId,
      role: 'Network Contributor',
      principalId: clusterIdentity.principalId,
    });
    // The nodes' own identity, created here so its roles survive a cluster rebuild and are known at plan time.
    const kubeletIdentity = new UserAssignedIdentity(stack, 'kubelet_identity', {
      ...placement,
      name: `id-${config.aks.name}-kubelet`,
    });
    const kubeletOperator = grantRole(stack, 'cluster_kubelet_operator', {
      scope: kubeletIdentity.id,
      role: 'Managed Identity Operator',
      principalId: clusterIdentity.principalId,
    });
    this.aks = new KubernetesCluster(stack, 'cluster', {
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
        vnetSubnetId: props.subnetId,
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
        tenantId: stack.client.tenantId,
        adminGroupObjectIds: [stack.adminGroupObjectId.stringValue],
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
    new KubernetesClusterNodePool(stack, 'work_pool', {
      ...autoscaled(config.aks.workPool, `${config.aks.workPool.name}tmp`),
      kubernetesClusterId: this.aks.id,
      vnetSubnetId: props.subnetId,
      mode: 'User',
      tags: placement.tags,
      lifecycle: { ignoreChanges: ['node_count'] },
    });
    grantRole(stack, 'kubelet_acr_pull', {
      scope: this.registry.id,
      role: 'AcrPull',
      principalId: kubeletIdentity.principalId,
    });
    // The image workflow's identity (bootstrap makes it, trusted from the image environment only) pushes images.
    const publisher = new DataAzurermUserAssignedIdentity(stack, 'image_publisher', {
      name: config.github.identities.image,
      resourceGroupName: stack.group.name,
    });
    grantRole(stack, 'image_publisher_push', {
      scope: this.registry.id,
      role: 'AcrPush',
      principalId: publisher.principalId,
    });
    // The ingress reads its one certificate (and the certificate's secret, which holds the private key).
    const routing = this.aks.webAppRouting.webAppRoutingIdentity.get(0).objectId;
    const certificate = config.keyVault.tlsCertificate;
    grantRole(stack, 'ingress_certificate', {
      scope: vaultObject(props.certificateVaultId, 'certificates', certificate),
      role: 'Key Vault Certificate User',
      principalId: routing,
    });
    grantRole(stack, 'ingress_certificate_key', {
      scope: vaultObject(props.certificateVaultId, 'secrets', certificate),
      role: 'Key Vault Secrets User',
      principalId: routing,
    });
  }
}
