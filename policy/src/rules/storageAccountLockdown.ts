import type { Rule } from '../ResourceView.js';
import { ofType } from '../references.js';

function mustBeOff(id: string, attribute: string, why: string): Rule {
  return {
    id,
    check: (resources) =>
      ofType(resources, 'azurerm_storage_account')
        .filter((account) => account.values[attribute] !== false)
        .map((account) => ({
          rule: id,
          address: account.address,
          message: `${attribute} must be false (is ${JSON.stringify(account.values[attribute] ?? 'unset, which Azure takes as true')}): ${why}`,
        })),
  };
}

export const storagePublicNetworkAccess = mustBeOff(
  'storage-public-network-access',
  'public_network_access_enabled',
  'storage accounts are reached over private endpoints only',
);

export const storageSharedKey = mustBeOff(
  'storage-shared-key',
  'shared_access_key_enabled',
  'storage accounts accept Entra ID tokens only, never account keys or SAS signed with them',
);
