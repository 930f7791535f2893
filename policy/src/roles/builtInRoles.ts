/** What a role lets its holder do, as Azure lists it in the role's definition. */
export interface RoleDefinition {
  name: string;
  /** The role's GUID: the same in every tenant for built-in roles. */
  id?: string;
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

const role = (
  name: string,
  id: string,
  permissions: Partial<Omit<RoleDefinition, 'name' | 'id'>>,
): RoleDefinition => ({
  name,
  id,
  actions: permissions.actions ?? [],
  notActions: permissions.notActions ?? [],
  dataActions: permissions.dataActions ?? [],
  notDataActions: permissions.notDataActions ?? [],
});

// Shared by the Key Vault roles and the operator roles: reading role assignments, resource groups and
// deployments, classic alerts and support tickets.
const managementBasics = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];
const keyVaultReads = [
  ...managementBasics,
  'Microsoft.KeyVault/checkNameAvailability/read',
  'Microsoft.KeyVault/deletedVaults/read',
  'Microsoft.KeyVault/locations/*/read',
  'Microsoft.KeyVault/vaults/*/read',
  'Microsoft.KeyVault/operations/read',
];

/**
 * The built-in roles ODP's stacks assign, with their permissions as Azure's built-in role reference lists
 * them. A role the stacks use that is not listed here is reported, never assumed harmless.
 */
export const builtInRoles: readonly RoleDefinition[] = [
  role('Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7', { actions: ['*/read'] }),
  role('Contributor', 'b24988ac-6180-42a0-ab88-20f7382dd24c', {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
    ],
  }),
  role('Role Based Access Control Administrator', 'f58310d9-a9f6-439a-9e8d-f62e7b41a168', {
    actions: [
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      '*/read',
      'Microsoft.Support/*',
    ],
  }),
  role('Storage Blob Data Contributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe', {
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    dataActions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
    ],
  }),
  role('Storage Blob Data Reader', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1', {
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
  }),
  role('AcrPull', '7f951dda-4ed3-4680-a7ca-43fe172d538d', {
    actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
  }),
  role('AcrPush', '8311e382-0749-4cb8-b61a-304f252e45ec', {
    actions: [
      'Microsoft.ContainerRegistry/registries/pull/read',
      'Microsoft.ContainerRegistry/registries/push/write',
    ],
  }),
  role('Azure Kubernetes Service Cluster User Role', '4abbcc35-e782-43d8-92c5-2d3f1bd2253f', {
    actions: [
      'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
      'Microsoft.ContainerService/managedClusters/read',
    ],
  }),
  role('Network Contributor', '4d97b98b-1d4f-4787-a291-c67834d212e7', {
    actions: [
      ...managementBasics,
      'Microsoft.Network/*',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
    ],
  }),
  role('Managed Identity Operator', 'f1a07417-d97a-45cb-824c-7a7467783830', {
    actions: [
      ...managementBasics,
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/read',
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
    ],
  }),
  role('Key Vault Administrator', '00482a5a-887f-4fb3-b363-3b7fe8e74483', {
    actions: keyVaultReads,
    dataActions: ['Microsoft.KeyVault/vaults/*'],
  }),
  role('Key Vault Secrets Officer', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', {
    actions: keyVaultReads,
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  }),
  role('Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6', {
    dataActions: [
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
    ],
  }),
  role('Key Vault Certificate User', 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba', {
    dataActions: [
      'Microsoft.KeyVault/vaults/certificates/read',
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
      'Microsoft.KeyVault/vaults/keys/read',
    ],
  }),
  role('Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', { actions: ['*'] }),
  role('Cognitive Services Contributor', '25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68', {
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.CognitiveServices/*',
      'Microsoft.Features/features/read',
      'Microsoft.Features/providers/features/read',
      'Microsoft.Features/providers/features/register/action',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Insights/diagnosticSettings/*',
      'Microsoft.Insights/logDefinitions/read',
      'Microsoft.Insights/metricdefinitions/read',
      'Microsoft.Insights/metrics/read',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/deployments/operations/read',
      'Microsoft.Resources/subscriptions/operationresults/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
    ],
  }),
  role('Cognitive Services User', 'a97b65f3-24c7-4388-baec-2e87135dc908', {
    actions: [
      'Microsoft.CognitiveServices/*/read',
      'Microsoft.CognitiveServices/accounts/listkeys/action',
      'Microsoft.Insights/alertRules/read',
      'Microsoft.Insights/diagnosticSettings/read',
      'Microsoft.Insights/logDefinitions/read',
      'Microsoft.Insights/metricdefinitions/read',
      'Microsoft.Insights/metrics/read',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/operations/read',
      'Microsoft.Resources/subscriptions/operationresults/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
    ],
    dataActions: ['Microsoft.CognitiveServices/*'],
  }),
  role('Cognitive Services OpenAI Contributor', 'a001fd3d-188f-4b5d-821b-7da978bf7442', {
    actions: [
      'Microsoft.CognitiveServices/*/read',
      'Microsoft.Authorization/roleAssignments/read',
      'Microsoft.Authorization/roleDefinitions/read',
    ],
    dataActions: ['Microsoft.CognitiveServices/accounts/OpenAI/*'],
  }),
  role('Cognitive Services OpenAI User', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd', {
    actions: [
      'Microsoft.CognitiveServices/*/read',
      'Microsoft.Authorization/roleAssignments/read',
      'Microsoft.Authorization/roleDefinitions/read',
    ],
    dataActions: [
      'Microsoft.CognitiveServices/accounts/OpenAI/*/read',
      'Microsoft.CognitiveServices/accounts/OpenAI/engines/completions/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/engines/search/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/engines/generate/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/deployments/search/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/deployments/extensions/chat/completions/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action',
      'Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action',
    ],
  }),
  role('Monitoring Metrics Publisher', '3913510d-42f4-4e42-8a64-420c390055eb', {
    actions: [
      'Microsoft.Insights/Register/Action',
      'Microsoft.Support/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ],
    dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'],
  }),
];

/** A built-in role by its name or its GUID (or a role definition id ending in it). */
export function builtInRole(nameOrId: string): RoleDefinition | undefined {
  const key = nameOrId.toLowerCase();
  return builtInRoles.find(
    (candidate) =>
      candidate.name.toLowerCase() === key ||
      (candidate.id !== undefined && key.endsWith(candidate.id.toLowerCase())),
  );
}
