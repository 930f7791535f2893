import type { Rule } from '../ResourceView.js';
import { ofType } from '../references.js';

/** A rule that every resource of `type` sets `attribute` to false, which Azure takes as true when unset. */
function mustBeOff(type: string, id: string, attribute: string, why: string): Rule {
  return {
    id,
    check: (resources) =>
      ofType(resources, type)
        .filter((resource) => resource.values[attribute] !== false)
        .map((resource) => ({
          rule: id,
          address: resource.address,
          message: `${attribute} must be false (is ${JSON.stringify(resource.values[attribute] ?? 'unset, which Azure takes as true')}): ${why}`,
        })),
  };
}

export const storagePublicNetworkAccess = mustBeOff(
  'azurerm_storage_account',
  'storage-public-network-access',
  'public_network_access_enabled',
  'storage accounts are reached over private endpoints only',
);

export const storageSharedKey = mustBeOff(
  'azurerm_storage_account',
  'storage-shared-key',
  'shared_access_key_enabled',
  'storage accounts accept Entra ID tokens only, never account keys or SAS signed with them',
);

export const cognitivePublicNetworkAccess = mustBeOff(
  'azurerm_cognitive_account',
  'cognitive-public-network-access',
  'public_network_access_enabled',
  'language models are reached over private endpoints only, so texts never cross the internet',
);

export const cognitiveLocalAuth = mustBeOff(
  'azurerm_cognitive_account',
  'cognitive-local-auth',
  'local_auth_enabled',
  'language models accept Entra ID tokens only, never API keys, so only identities granted a role can call them',
);
