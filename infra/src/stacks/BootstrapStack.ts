import { ResourceProviderRegistration } from '@cdktf/provider-azurerm/lib/resource-provider-registration/index.js';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';
import { GitHubActions } from '../constructs/GitHubActions.js';
import { grantRole } from '../constructs/grantRole.js';
import { Network } from '../constructs/Network.js';
import { OdpStack } from '../constructs/OdpStack.js';
import { Runners } from '../constructs/Runners.js';
import { TerraformState } from '../constructs/TerraformState.js';

// Every resource provider ODP's stacks use; Microsoft.Compute is managed below for its EncryptionAtHost feature.
const resourceProviders = [
  'Microsoft.App',
  'Microsoft.CognitiveServices',
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
 * the identities GitHub Actions signs in as, and the self-hosted runners that reach the private state. The
 * pipelines never plan or apply it: it holds their own identities and the runners' GitHub App key.
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
    const state = new TerraformState(this, {
      network,
      planPrincipalId: github.plan.principalId,
      applyPrincipalId: github.apply.principalId,
    });
    const variable = (name: string, description: string, sensitive = false) =>
      new TerraformVariable(this, name, { type: 'string', description, sensitive }).stringValue;
    new Runners(this, {
      network,
      githubApp: {
        id: variable('github_app_id', 'The GitHub App the runners register with (its App ID).'),
        installationId: variable('github_app_installation_id', "The App's installation on the repository."),
        privateKey: variable(
          'github_app_private_key',
          "The App's PEM private key (kept in the ops vault; see infra/README.md).",
          true,
        ),
      },
    });
    // Administrators manage every vault's objects; the pipelines never may grant this role.
    grantRole(this, 'admins_vaults', {
      scope: this.group.id,
      role: 'Key Vault Administrator',
      principalId: this.adminGroupObjectId.stringValue,
      principalType: 'Group',
    });

    for (const [trust, identity] of Object.entries({
      plan: github.plan,
      apply: github.apply,
      image: github.image,
    })) {
      new TerraformOutput(this, `github_${trust}_client_id`, {
        value: identity.clientId,
        description: `Set as the AZURE_${trust.toUpperCase()}_CLIENT_ID variable of the GitHub repository.`,
      });
    }
    new TerraformOutput(this, 'state_storage_account', { value: state.storage.account.name });
  }
}
