import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment/index.js';
import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { grantRole } from './grantRole.js';
import type { Network } from './Network.js';
import type { OdpStack } from './OdpStack.js';
import { privateKeyVault } from './privateKeyVault.js';

const tokenSecret = 'github-runner-token';

/**
 * Ephemeral self-hosted GitHub Actions runners, as a Container Apps job in the virtual network: GitHub-hosted
 * runners cannot reach the private state account, and Azure's private networking for hosted runners is not
 * offered in italynorth. Each runner registers with a GitHub token kept in a private ops vault.
 */
export class Runners {
  constructor(stack: OdpStack, network: Network) {
    const { config, placement } = stack;
    const identity = new UserAssignedIdentity(stack, 'runner', {
      ...placement,
      name: 'id-odp-github-runner',
    });
    const vault = privateKeyVault(stack, 'ops_vault', config.runners.keyVault, {
      subnetId: network.subnets.privateEndpoints.id,
      privateDnsZoneId: network.zones.vault.id,
    });
    grantRole(stack, 'runner_secrets', {
      scope: vault.id,
      role: 'Key Vault Secrets User',
      principalId: identity.principalId,
    });
    grantRole(stack, 'admins_ops_vault', {
      scope: vault.id,
      role: 'Key Vault Secrets Officer',
      principalId: stack.adminGroupObjectId.stringValue,
      principalType: 'Group',
    });
    const environment = new ContainerAppEnvironment(stack, 'runners', {
      ...placement,
      name: config.runners.environment,
      infrastructureSubnetId: network.subnets.runners.id,
      internalLoadBalancerEnabled: true,
      workloadProfile: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    });
    new ContainerAppJob(stack, 'runner_job', {
      ...placement,
      name: config.runners.job,
      containerAppEnvironmentId: environment.id,
      workloadProfileName: 'Consumption',
      replicaTimeoutInSeconds: 3600,
      replicaRetryLimit: 0,
      identity: { type: 'UserAssigned', identityIds: [identity.id] },
      secret: [
        {
          name: tokenSecret,
          keyVaultSecretId: `${vault.vaultUri}secrets/${tokenSecret}`,
          identity: identity.id,
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
              { name: 'GITHUB_REPOSITORY', value: `${config.github.owner}/${config.github.repository}` },
              { name: 'RUNNER_LABELS', value: 'odp-private' },
              { name: 'RUNNER_EPHEMERAL', value: 'true' },
            ],
          },
        ],
      },
    });
  }
}
