import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config/index.js';
import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { AzurermBackend, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import type { OdpConfig } from '../config.js';

export interface OdpStackOptions {
  /** Resource providers this stack registers when its provider starts (only the admin's bootstrap may). */
  resourceProvidersToRegister?: string[];
}

/**
 * A stack with its own state blob in the state account, the azurerm provider set up for keyless storage,
 * and the resource group ODP is given. The state account has no public access, so Terraform reaches it
 * from inside the virtual network (runners) with Entra ID; the first bootstrap run uses a local override.
 */
export class OdpStack extends TerraformStack {
  readonly group: DataAzurermResourceGroup;
  readonly client: DataAzurermClientConfig;
  readonly subscriptionId: TerraformVariable;
  readonly adminGroupObjectId: TerraformVariable;

  constructor(
    scope: Construct,
    id: string,
    readonly config: OdpConfig,
    options: OdpStackOptions = {},
  ) {
    super(scope, id);
    this.subscriptionId = new TerraformVariable(this, 'subscription_id', {
      type: 'string',
      description: 'The Azure subscription ODP deploys into.',
    });
    this.adminGroupObjectId = new TerraformVariable(this, 'admin_group_object_id', {
      type: 'string',
      description:
        'Object id of the Entra ID group of ODP administrators (cluster, database, vault and state access).',
    });
    new AzurermProvider(this, 'azurerm', {
      subscriptionId: this.subscriptionId.stringValue,
      // Storage accounts refuse shared keys: the provider talks to storage with Entra ID tokens only and
      // never reads the data plane, which is private and unreachable from wherever Terraform plans.
      storageUseAzuread: true,
      features: [{ storage: [{ dataPlaneAvailable: false }] }],
      resourceProviderRegistrations: 'none',
      ...(options.resourceProvidersToRegister
        ? { resourceProvidersToRegister: options.resourceProvidersToRegister }
        : {}),
    });
    new AzurermBackend(this, {
      resourceGroupName: config.resourceGroup,
      storageAccountName: config.state.storageAccount,
      containerName: config.state.container,
      key: `${id}.tfstate`,
      useAzureadAuth: true,
    });
    this.group = new DataAzurermResourceGroup(this, 'odp', { name: config.resourceGroup });
    this.client = new DataAzurermClientConfig(this, 'current', {});
  }

  /** Location, resource group and tags every ODP resource carries. */
  get placement() {
    return {
      location: this.config.location,
      resourceGroupName: this.group.name,
      tags: { ...this.config.tags },
    };
  }
}
