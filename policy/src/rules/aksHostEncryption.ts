import type { Finding, Rule } from '../ResourceView.js';
import { block, ofType } from '../references.js';

const id = 'aks-host-encryption';
const why = 'node pools encrypt temp disks and caches at host';

/** Every AKS node pool, the default one and every extra one, encrypts at host. */
export const aksHostEncryption: Rule = {
  id,
  check: (resources) => [
    ...ofType(resources, 'azurerm_kubernetes_cluster').flatMap((cluster): Finding[] => {
      const pool = block(cluster.values.default_node_pool);
      if (pool?.host_encryption_enabled === true) return [];
      return [
        {
          rule: id,
          address: cluster.address,
          message: `default_node_pool.host_encryption_enabled must be true (is ${JSON.stringify(pool?.host_encryption_enabled ?? 'unset')}): ${why}`,
        },
      ];
    }),
    ...ofType(resources, 'azurerm_kubernetes_cluster_node_pool')
      .filter((pool) => pool.values.host_encryption_enabled !== true)
      .map((pool) => ({
        rule: id,
        address: pool.address,
        message: `host_encryption_enabled must be true (is ${JSON.stringify(pool.values.host_encryption_enabled ?? 'unset')}): ${why}`,
      })),
  ],
};
