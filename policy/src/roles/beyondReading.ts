import type { ResourceView } from '../ResourceView.js';
import { ofType } from '../references.js';
import type { RoleDefinition } from './builtInRoles.js';

/**
 * Permissions named as actions that still only read, each with why and the deployment they hold in. Every
 * other permission that does not end in `/read` (writes, deletes, other actions, wildcards) counts as a change.
 */
const readingActions: ReadonlyArray<{
  permission: string;
  holds: (resources: readonly ResourceView[]) => boolean;
}> = [
  {
    // The key signs SAS tokens that carry no more than its holder's own data rights.
    permission: 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    holds: () => true,
  },
  {
    // With local accounts disabled the user kubeconfig holds no credential, only the Entra ID sign-in;
    // Terraform reads it to refresh a cluster.
    permission: 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
    holds: (resources) =>
      ofType(resources, 'azurerm_kubernetes_cluster').every(
        (cluster) => cluster.values.local_account_disabled === true,
      ),
  },
];

function onlyReads(permission: string, resources: readonly ResourceView[]): boolean {
  if (/\/read$/i.test(permission)) return true;
  const reading = readingActions.find((entry) => entry.permission.toLowerCase() === permission.toLowerCase());
  return reading?.holds(resources) ?? false;
}

function granted(allowed: readonly string[], excluded: readonly string[]): string[] {
  const removed = new Set(excluded.map((permission) => permission.toLowerCase()));
  return allowed.filter((permission) => !removed.has(permission.toLowerCase()));
}

/** The permissions of `role` that do more than read, in this deployment; empty for a read-only role. */
export function permissionsBeyondReading(role: RoleDefinition, resources: readonly ResourceView[]): string[] {
  return [
    ...granted(role.actions, role.notActions),
    ...granted(role.dataActions, role.notDataActions),
  ].filter((permission) => !onlyReads(permission, resources));
}
