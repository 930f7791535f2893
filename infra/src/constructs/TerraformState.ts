import { grantRole } from './grantRole.js';
import type { Network } from './Network.js';
import type { OdpStack } from './OdpStack.js';
import { PrivateStorageAccount } from './PrivateStorageAccount.js';

export interface TerraformStateProps {
  network: Network;
  /** The identity the pipelines apply Terraform as. */
  pipelinePrincipalId: string;
}

/** The private storage account every stack keeps its Terraform state in, and who may read and write it. */
export class TerraformState {
  readonly storage: PrivateStorageAccount;

  constructor(stack: OdpStack, props: TerraformStateProps) {
    const { state } = stack.config;
    this.storage = new PrivateStorageAccount(stack, 'state', {
      name: state.storageAccount,
      hierarchicalNamespace: false,
      containers: [state.container],
      subnetId: props.network.subnets.privateEndpoints.id,
      privateDnsZoneIds: { blob: props.network.zones.blob.id },
    });
    const container = this.storage.containers[state.container]!;
    grantRole(stack, 'github_state', {
      scope: container.id,
      role: 'Storage Blob Data Contributor',
      principalId: props.pipelinePrincipalId,
      description: 'GitHub Actions reads, locks and writes Terraform state.',
    });
    grantRole(stack, 'admins_state', {
      scope: container.id,
      role: 'Storage Blob Data Contributor',
      principalId: stack.adminGroupObjectId.stringValue,
      principalType: 'Group',
      description: 'Administrators migrate and repair Terraform state.',
    });
  }
}
