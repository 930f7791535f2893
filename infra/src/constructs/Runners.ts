import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment/index.js';
import { ContainerAppJob } from '@cdktf/provider-azurerm/lib/container-app-job/index.js';
import type { Network } from './Network.js';
import type { OdpStack } from './OdpStack.js';
import { privateKeyVault } from './privateKeyVault.js';
import { runnerTraffic } from './runnerTraffic.js';

/** The GitHub App the runners act as; its id and installation are public, its private key is not. */
export interface GitHubApp {
  id: string;
  installationId: string;
  /** PEM private key, from a sensitive variable an administrator sets when applying bootstrap. */
  privateKey: string;
}

export interface RunnersProps {
  network: Network;
  githubApp: GitHubApp;
}

const appKeySecret = 'github-app-key';
const jitVolume = 'jit-config';
export const RUNNER_LABEL = 'odp-private';

/**
 * Ephemeral self-hosted GitHub Actions runners, as a Container Apps job in the virtual network: GitHub-hosted
 * runners cannot reach the private state account, and Azure's private networking for hosted runners is not
 * offered in italynorth.
 *
 * Job steps get no long-lived credential. The job has no managed identity (Container Apps hands an attached
 * identity to every container, job steps included). The GitHub App key reaches only the queue scaler and the
 * init container, which trades it for a just-in-time runner configuration: one registration, for one job,
 * consumed when the runner starts. The runner container sees that file and nothing else.
 */
export class Runners {
  readonly job: ContainerAppJob;

  constructor(stack: OdpStack, props: RunnersProps) {
    const { config, placement } = stack;
    const { network, githubApp } = props;
    // Where administrators keep the App key between rotations; nothing in Azure reads it.
    privateKeyVault(stack, 'ops_vault', config.runners.keyVault, {
      subnetId: network.subnets.privateEndpoints.id,
      privateDnsZoneId: network.zones.vault.id,
    });
    runnerTraffic(stack, network);
    const environment = new ContainerAppEnvironment(stack, 'runners', {
      ...placement,
      name: config.runners.environment,
      infrastructureSubnetId: network.subnets.runners.id,
      internalLoadBalancerEnabled: true,
      workloadProfile: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    });
    const repository = `${config.github.owner}/${config.github.repository}`;
    const jitMount = [{ name: jitVolume, path: '/jit' }];
    this.job = new ContainerAppJob(stack, 'runner_job', {
      ...placement,
      name: config.runners.job,
      containerAppEnvironmentId: environment.id,
      workloadProfileName: 'Consumption',
      replicaTimeoutInSeconds: 3600,
      replicaRetryLimit: 0,
      secret: [{ name: appKeySecret, value: githubApp.privateKey }],
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
                  labels: RUNNER_LABEL,
                  targetWorkflowQueueLength: '1',
                  applicationID: githubApp.id,
                  installationID: githubApp.installationId,
                },
                authentication: [{ secretName: appKeySecret, triggerParameter: 'appKey' }],
              },
            ],
          },
        ],
      },
      template: {
        initContainer: [
          {
            name: 'jit-config',
            image: config.runners.image,
            command: ['odp-runner-jitconfig'],
            cpu: 0.25,
            memory: '0.5Gi',
            env: [
              { name: 'GITHUB_APP_ID', value: githubApp.id },
              { name: 'GITHUB_APP_INSTALLATION_ID', value: githubApp.installationId },
              { name: 'GITHUB_APP_PRIVATE_KEY', secretName: appKeySecret },
              { name: 'GITHUB_REPOSITORY', value: repository },
              { name: 'RUNNER_LABELS', value: RUNNER_LABEL },
              { name: 'RUNNER_JITCONFIG_FILE', value: '/jit/config' },
            ],
            volumeMounts: jitMount,
          },
        ],
        container: [
          {
            name: 'runner',
            image: config.runners.image,
            cpu: 1,
            memory: '2Gi',
            // The runner deletes the file once read; no secret and no identity reach the job's steps.
            env: [{ name: 'RUNNER_JITCONFIG_FILE', value: '/jit/config' }],
            volumeMounts: jitMount,
          },
        ],
        volume: [{ name: jitVolume, storageType: 'EmptyDir' }],
      },
    });
  }
}
