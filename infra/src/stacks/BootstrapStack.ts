import { ResourceProviderRegistration } from '@cdktf/provider-azurerm/lib/resource-provider-registration/index.js';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';
import { GitHubActions } from '../constructs/GitHubActions.js';
import { Network } from '../constructs/Network.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { Runners } from '../constructs/Runners.js';
import { TerraformState } from '../constructs/TerraformState.js';

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

/**
 * What must exist before any pipeline can run, applied once by an administrator with `az login`:
 * resource providers, the network foundation every stack builds on, the private Terraform state account,
 * the identity GitHub Actions signs in as, and the self-hosted runners that reach the private state.
 */
export class BootstrapStack extends OdpStack {
  constructor(scope: Construct, id: string, config: OdpConfig) {
    super(scope, id, config, { resourceProvidersToRegister: resourceProviders });
    // AKS node pools encrypt at host only once this feature is registered on the subscription.
    new ResourceProviderRegistration(this, 'compute', {
      name: 'Microsoft.Compute',
      feature: [{ name: 'EncryptionAtHost', registered: true }],
    }).importFrom(`/subscriptions/${this.subscriptionId.stringValue}/providers/Microsoft.Compute`);

    const network = new Network(this);
    const github = new GitHubActions(this);
    const state = new TerraformState(this, { network, pipelinePrincipalId: github.identity.principalId });
    new Runners(this, network);

    new TerraformOutput(this, 'github_client_id', {
      value: github.identity.clientId,
      description: 'Set as the AZURE_CLIENT_ID variable of the GitHub repository.',
    });
    new TerraformOutput(this, 'state_storage_account', { value: state.storage.account.name });
  }
}
