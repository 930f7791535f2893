import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment/index.js';
import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job/index.js';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group/index.js';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone/index.js';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link/index.js';
import { ResourceProviderRegistration } from '@cdktf/provider-azurerm/lib/resource-provider-registration/index.js';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet/index.js';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network/index.js';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';
import { grantRole } from '../constructs/grantRole.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { PrivateStorageAccount } from '../constructs/PrivateStorageAccount.js';
import { privateKeyVault } from '../constructs/privateKeyVault.js';
import { privateDnsZoneNames, subnetNames } from '../network.js';

// Every resource provider ODP's stacks use; Microsoft.Compute is managed below for its EncryptionAtHost feature.
const resourceProviders = [
  'Microsoft.App',
  'Microsoft.ContainerRegistry',
  'Microsoft.ContainerService',
  'Microsoft.DBforPostgreSQL',
  'Microsoft.KeyVault',
  'Microsoft.KubernetesConfiguration',
  'Microsoft.ManagedIdentity',
  'Microsoft.Network',
  'Microsoft.OperationalInsights',
  'Microsoft.OperationsManagement',
  'Microsoft.Storage',
];

// Built-in roles the CI identity may hand out, and nothing else (ids are the same in every tenant).
const assignableRoles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
  managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

/** An ABAC condition that lets a role-assignment administrator grant and revoke only `roles`. */
function onlyRoles(roles: string[]): string {
  const ids = roles.join(', ');
  return [
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
  ].join(' AND ');
}

/**
 * What must exist before any pipeline can run, applied once by an administrator with `az login`:
 * resource providers, the network foundation every stack builds on, the private Terraform state account,
 * the identity GitHub Actions signs in as, and the self-hosted runners that reach the private state.
 */
export class BootstrapStack extends OdpStack {
  constructor(scope: Construct, id: string, config: OdpConfig) {
    super(scope, id, config, { resourceProvidersToRegister: resourceProviders });
    const { placement } = this;

    // AKS node pools encrypt at host only once this feature is registered on the subscription.
    new ResourceProviderRegistration(this, 'compute', {
      name: 'Microsoft.Compute',
      feature: [{ name: 'EncryptionAtHost', registered: true }],
    }).importFrom(`/subscriptions/${this.subscriptionId.stringValue}/providers/Microsoft.Compute`);

    const network = new VirtualNetwork(this, 'network', {
      ...placement,
      name: config.network.name,
      addressSpace: [config.network.addressSpace],
    });
    const subnet = (key: keyof typeof subnetNames, delegation?: { name: string; actions: string[] }) =>
      new Subnet(this, `subnet_${key}`, {
        name: subnetNames[key],
        resourceGroupName: this.group.name,
        virtualNetworkName: network.name,
        addressPrefixes: [config.network.subnets[key]],
        ...(key === 'privateEndpoints' ? { privateEndpointNetworkPolicies: 'Enabled' } : {}),
        ...(delegation
          ? {
              delegation: [
                {
                  name: delegation.name,
                  serviceDelegation: { name: delegation.name, actions: delegation.actions },
                },
              ],
            }
          : {}),
      });
    new Subnet(this, 'subnet_gateway', {
      name: subnetNames.gateway,
      resourceGroupName: this.group.name,
      virtualNetworkName: network.name,
      addressPrefixes: [config.network.subnets.gateway],
    });
    const subnets = {
      privateEndpoints: subnet('privateEndpoints'),
      postgres: subnet('postgres', {
        name: 'Microsoft.DBforPostgreSQL/flexibleServers',
        actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
      }),
      runners: subnet('runners', {
        name: 'Microsoft.App/environments',
        actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
      }),
      aks: subnet('aks'),
    };
    // The gateway subnet takes no NSG (Azure rejects one); every other subnet gets its own.
    for (const [key, target] of Object.entries(subnets)) {
      const group = new NetworkSecurityGroup(this, `nsg_${key}`, {
        ...placement,
        name: `nsg-${target.name}`,
      });
      new SubnetNetworkSecurityGroupAssociation(this, `nsg_${key}_association`, {
        subnetId: target.id,
        networkSecurityGroupId: group.id,
      });
    }

    const zones = Object.fromEntries(
      Object.entries(privateDnsZoneNames(config)).map(([key, name]) => {
        const zone = new PrivateDnsZone(this, `zone_${key}`, {
          name,
          resourceGroupName: this.group.name,
          tags: placement.tags,
        });
        new PrivateDnsZoneVirtualNetworkLink(this, `zone_${key}_link`, {
          name: `link-${config.network.name}`,
          resourceGroupName: this.group.name,
          privateDnsZoneName: zone.name,
          virtualNetworkId: network.id,
          registrationEnabled: false,
          tags: placement.tags,
        });
        return [key, zone];
      }),
    ) as Record<keyof ReturnType<typeof privateDnsZoneNames>, PrivateDnsZone>;

    const state = new PrivateStorageAccount(this, 'state', {
      name: config.state.storageAccount,
      hierarchicalNamespace: false,
      containers: [config.state.container],
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneIds: { blob: zones.blob.id },
    });
    const stateContainer = state.containers[config.state.container]!;

    // GitHub Actions signs in as this identity through OIDC: no client secret exists anywhere.
    const github = new UserAssignedIdentity(this, 'github', { ...placement, name: 'id-odp-github-actions' });
    const repository = `${config.github.owner}/${config.github.repository}`;
    const subjects = {
      pull_request: `repo:${repository}:pull_request`,
      main: `repo:${repository}:ref:refs/heads/${config.github.branch}`,
      environment: `repo:${repository}:environment:${config.github.environment}`,
    };
    for (const [key, subject] of Object.entries(subjects)) {
      new FederatedIdentityCredential(this, `github_${key}`, {
        name: `github-${key.replaceAll('_', '-')}`,
        resourceGroupName: this.group.name,
        parentId: github.id,
        issuer: 'https://token.actions.githubusercontent.com',
        audience: ['api://AzureADTokenExchange'],
        subject,
      });
    }
    grantRole(this, 'github_contributor', {
      scope: this.group.id,
      role: 'Contributor',
      principalId: github.principalId,
      description: 'GitHub Actions manages the resources in the ODP resource group.',
    });
    grantRole(this, 'github_role_assignments', {
      scope: this.group.id,
      role: 'Role Based Access Control Administrator',
      principalId: github.principalId,
      condition: onlyRoles(Object.values(assignableRoles)),
      description: 'GitHub Actions grants the platform identities their roles, and only those roles.',
    });
    grantRole(this, 'github_state', {
      scope: stateContainer.id,
      role: 'Storage Blob Data Contributor',
      principalId: github.principalId,
      description: 'GitHub Actions reads, locks and writes Terraform state.',
    });
    grantRole(this, 'admins_state', {
      scope: stateContainer.id,
      role: 'Storage Blob Data Contributor',
      principalId: this.adminGroupObjectId.stringValue,
      principalType: 'Group',
      description: 'Administrators migrate and repair Terraform state.',
    });

    // Runners: GitHub-hosted runners cannot reach the private state account, and Azure's private
    // networking for hosted runners is not offered in italynorth, so ephemeral runners run here.
    const runnerIdentity = new UserAssignedIdentity(this, 'runner', {
      ...placement,
      name: 'id-odp-github-runner',
    });
    const vault = privateKeyVault(this, 'ops_vault', config.runners.keyVault, {
      subnetId: subnets.privateEndpoints.id,
      privateDnsZoneId: zones.vault.id,
    });
    grantRole(this, 'runner_secrets', {
      scope: vault.id,
      role: 'Key Vault Secrets User',
      principalId: runnerIdentity.principalId,
    });
    grantRole(this, 'admins_ops_vault', {
      scope: vault.id,
      role: 'Key Vault Secrets Officer',
      principalId: this.adminGroupObjectId.stringValue,
      principalType: 'Group',
    });
    const environment = new ContainerAppEnvironment(this, 'runners', {
      ...placement,
      name: config.runners.environment,
      infrastructureSubnetId: subnets.runners.id,
      internalLoadBalancerEnabled: true,
      workloadProfile: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    });
    const tokenSecret = 'github-runner-token';
    new ContainerAppJob(this, 'runner_job', {
      ...placement,
      name: config.runners.job,
      containerAppEnvironmentId: environment.id,
      workloadProfileName: 'Consumption',
      replicaTimeoutInSeconds: 3600,
      replicaRetryLimit: 0,
      identity: { type: 'UserAssigned', identityIds: [runnerIdentity.id] },
      secret: [
        {
          name: tokenSecret,
          keyVaultSecretId: `${vault.vaultUri}secrets/${tokenSecret}`,
          identity: runnerIdentity.id,
        },
      ],
      eventTriggerConfig: {
        parallelism: 1,
        replicaCompletionCount: 1,
        scale: [
          {
            minExecutions: 0,
            maxExecutions: config.runners.maxRunners,
            pollingIntervalInSeconds: 30,
            rules: [
              {
                name: 'github-workflow-queue',
                customRuleType: 'github-runner',
                metadata: {
                  githubAPIURL: 'https://api.github.com',
                  owner: config.github.owner,
                  repos: config.github.repository,
                  runnerScope: 'repo',
                  labels: 'odp-private',
                  targetWorkflowQueueLength: '1',
                },
                authentication: [{ secretName: tokenSecret, triggerParameter: 'personalAccessToken' }],
              },
            ],
          },
        ],
      },
      template: {
        container: [
          {
            name: 'runner',
            image: config.runners.image,
            cpu: 1,
            memory: '2Gi',
            env: [
              { name: 'GITHUB_TOKEN', secretName: tokenSecret },
              { name: 'GITHUB_REPOSITORY', value: repository },
              { name: 'RUNNER_LABELS', value: 'odp-private' },
              { name: 'RUNNER_EPHEMERAL', value: 'true' },
            ],
          },
        ],
      },
    });

    new TerraformOutput(this, 'github_client_id', {
      value: github.clientId,
      description: 'Set as the AZURE_CLIENT_ID variable of the GitHub repository.',
    });
    new TerraformOutput(this, 'state_storage_account', { value: state.account.name });
  }
}
