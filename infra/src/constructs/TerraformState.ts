import { grantRole } from './grantRole.js';
import type { Network } from './Network.js';
import type { OdpStack } from './OdpStack.js';
import { PrivateStorageAccount } from './PrivateStorageAccount.js';

export interface TerraformStateProps {
  network: Network;
  /** The identity pull requests and drift checks plan as: it reads state, never writes or locks it. */
  planPrincipalId: string;
  /** The identity approved applies run as: it reads, locks and writes state. */
  applyPrincipalId: string;
}

const blobs = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

/**
 * An ABAC condition that narrows a blob role to the state blobs of the pipelines' stacks: the administrators'
 * stack (bootstrap, which holds the runners' GitHub App key) stays out of the pipelines' reach. Listing blob
 * names stays allowed, as the backend lists workspaces.
 */
function onlyStates(keys: string[], dataActions: string[]): string {
  const notThese = dataActions
    .map((action) =>
      action === 'read'
        ? `!(ActionMatches{'${blobs}/read'} AND NOT SubOperationMatches{'Blob.List'})`
        : `!(ActionMatches{'${blobs}/${action}'})`,
    )
    .join(' AND ');
  const states = keys.map((key) => `'${key}'`).join(', ');
  return `((${notThese}) OR (@Resource[${blobs}:path] ForAnyOfAnyValues:StringEquals {${states}}))`;
}

/** The private storage account every stack keeps its Terraform state in, and who may read and write it. */
export class TerraformState {
  readonly storage: PrivateStorageAccount;

  constructor(stack: OdpStack, props: TerraformStateProps) {
    const { state, github } = stack.config;
    this.storage = new PrivateStorageAccount(stack, 'state', {
      name: state.storageAccount,
      hierarchicalNamespace: false,
      containers: [state.container],
      subnetId: props.network.subnets.privateEndpoints.id,
      privateDnsZoneIds: { blob: props.network.zones.blob.id },
    });
    const container = this.storage.containers[state.container]!;
    const pipelineStates = github.pipelineStacks.map((name) => `${name}.tfstate`);
    grantRole(stack, 'github_plan_state', {
      scope: container.id,
      role: 'Storage Blob Data Reader',
      principalId: props.planPrincipalId,
      condition: onlyStates(pipelineStates, ['read']),
      description: 'Plans read the pipeline stacks state without a lock (terraform plan -lock=false).',
    });
    grantRole(stack, 'github_apply_state', {
      scope: container.id,
      role: 'Storage Blob Data Contributor',
      principalId: props.applyPrincipalId,
      condition: onlyStates(pipelineStates, ['read', 'write', 'delete', 'add/action', 'move/action']),
      description: 'Approved applies read, lock and write the pipeline stacks state.',
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
