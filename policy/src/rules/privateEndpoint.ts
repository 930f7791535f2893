import type { Finding, ResourceView, Rule } from '../ResourceView.js';
import { blocks, ofType, pointsAt } from '../references.js';

/** The sub-resources of `target` that a private endpoint registered in private DNS reaches. */
function subresourcesReaching(target: ResourceView, resources: readonly ResourceView[]): Set<string> {
  const reached = new Set<string>();
  for (const endpoint of ofType(resources, 'azurerm_private_endpoint')) {
    if (blocks(endpoint.values.private_dns_zone_group).length === 0) continue;
    for (const connection of blocks(endpoint.values.private_service_connection)) {
      if (!pointsAt(connection.private_connection_resource_id, target)) continue;
      for (const name of (connection.subresource_names as unknown[] | undefined) ?? []) {
        if (typeof name === 'string') reached.add(name);
      }
    }
  }
  return reached;
}

/** A rule that every resource of `type` is reached through private endpoints for the sub-resources it needs. */
function reachedPrivately(type: string, id: string, needed: (resource: ResourceView) => string[]): Rule {
  return {
    id,
    check: (resources) =>
      ofType(resources, type).flatMap((resource): Finding[] => {
        const reached = subresourcesReaching(resource, resources);
        const missing = needed(resource).filter((subresource) => !reached.has(subresource));
        if (missing.length === 0) return [];
        return [
          {
            rule: id,
            address: resource.address,
            message: `no private endpoint with a private DNS zone group reaches its ${missing.join(' and ')} endpoint`,
          },
        ];
      }),
  };
}

/**
 * Every storage account is reached through private endpoints registered in private DNS:
 * blob always, and dfs too when the hierarchical namespace is on (its clients use the dfs endpoint).
 */
export const storagePrivateEndpoint = reachedPrivately(
  'azurerm_storage_account',
  'storage-private-endpoint',
  (account) => (account.values.is_hns_enabled === true ? ['blob', 'dfs'] : ['blob']),
);

/** Every Azure AI services (OpenAI) account is reached through a private endpoint for its one sub-resource, `account`. */
export const cognitivePrivateEndpoint = reachedPrivately(
  'azurerm_cognitive_account',
  'cognitive-private-endpoint',
  () => ['account'],
);
