import type { Finding, ResourceView, Rule } from '../ResourceView.js';
import { blocks, ofType, pointsAt } from '../references.js';

const id = 'storage-private-endpoint';

function subresourcesReaching(account: ResourceView, resources: readonly ResourceView[]): Set<string> {
  const reached = new Set<string>();
  for (const endpoint of ofType(resources, 'azurerm_private_endpoint')) {
    if (blocks(endpoint.values.private_dns_zone_group).length === 0) continue;
    for (const connection of blocks(endpoint.values.private_service_connection)) {
      if (!pointsAt(connection.private_connection_resource_id, account)) continue;
      for (const name of (connection.subresource_names as unknown[] | undefined) ?? []) {
        if (typeof name === 'string') reached.add(name);
      }
    }
  }
  return reached;
}

/**
 * Every storage account is reached through private endpoints registered in private DNS:
 * blob always, and dfs too when the hierarchical namespace is on (its clients use the dfs endpoint).
 */
export const storagePrivateEndpoint: Rule = {
  id,
  check: (resources) =>
    ofType(resources, 'azurerm_storage_account').flatMap((account): Finding[] => {
      const reached = subresourcesReaching(account, resources);
      const needed = account.values.is_hns_enabled === true ? ['blob', 'dfs'] : ['blob'];
      const missing = needed.filter((subresource) => !reached.has(subresource));
      if (missing.length === 0) return [];
      return [
        {
          rule: id,
          address: account.address,
          message: `no private endpoint with a private DNS zone group reaches its ${missing.join(' and ')} endpoint`,
        },
      ];
    }),
};
