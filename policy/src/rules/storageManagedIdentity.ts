import type { Finding, ResourceView, Rule } from '../ResourceView.js';
import { block, blocks, ofType, referencedAddresses, resolve } from '../references.js';

const id = 'storage-managed-identity';
const storageTypes = new Set(['azurerm_storage_account', 'azurerm_storage_container']);
const storageId = /\/providers\/microsoft\.storage\/storageaccounts\//i;
const managedIdentityAttribute = /\.(kubelet_identity|identity)(\[\d+\])?\.(object_id|principal_id)$/;

function reachesStorage(assignment: ResourceView, resources: readonly ResourceView[]): boolean {
  const { scope, role_definition_name: role } = assignment.values;
  if (typeof role === 'string' && role.startsWith('Storage ')) return true;
  const target = resolve(scope, resources);
  if (target) return storageTypes.has(target.type);
  return typeof scope === 'string' && storageId.test(scope);
}

/** Principal ids of the managed identities the deployment declares or looks up, as far as a plan knows them. */
function knownManagedIdentityIds(resources: readonly ResourceView[]): Set<string> {
  const ids = new Set<string>();
  for (const resource of resources) {
    const candidates = [
      resource.type === 'azurerm_user_assigned_identity' ? resource.values.principal_id : undefined,
      block(resource.values.kubelet_identity)?.object_id,
      ...blocks(resource.values.identity).map((identity) => identity.principal_id),
    ];
    for (const candidate of candidates) if (typeof candidate === 'string') ids.add(candidate.toLowerCase());
  }
  return ids;
}

function isManagedIdentity(principal: unknown, known: Set<string>): boolean {
  if (typeof principal !== 'string') return false;
  const addresses = referencedAddresses(principal);
  if (addresses.length > 0) {
    if (managedIdentityAttribute.test(principal.slice(2, -1))) return true;
    return addresses.every((address) =>
      address.replace(/^data\./, '').startsWith('azurerm_user_assigned_identity.'),
    );
  }
  return known.has(principal.toLowerCase());
}

function checkAssignments(resources: readonly ResourceView[]): Finding[] {
  const known = knownManagedIdentityIds(resources);
  return ofType(resources, 'azurerm_role_assignment')
    .filter((assignment) => reachesStorage(assignment, resources))
    .filter((assignment) => !['User', 'Group'].includes(String(assignment.values.principal_type)))
    .filter((assignment) => !isManagedIdentity(assignment.values.principal_id, known))
    .map((assignment) => ({
      rule: id,
      address: assignment.address,
      message: `grants storage access to ${JSON.stringify(assignment.values.principal_id)}, which is not a managed identity of this deployment (services reach storage with managed identities; people are granted with principal_type User or Group)`,
    }));
}

function checkClusters(resources: readonly ResourceView[]): Finding[] {
  return ofType(resources, 'azurerm_kubernetes_cluster')
    .filter(
      (cluster) =>
        blocks(cluster.values.identity).length === 0 || blocks(cluster.values.service_principal).length > 0,
    )
    .map((cluster) => ({
      rule: id,
      address: cluster.address,
      message:
        'must run with a managed identity (identity block) and no service_principal, so its kubelet reaches storage without secrets',
    }));
}

/** Services reach storage with managed identities: storage roles go to managed identities (or to people). */
export const storageManagedIdentity: Rule = {
  id,
  check: (resources) => [...checkAssignments(resources), ...checkClusters(resources)],
};
