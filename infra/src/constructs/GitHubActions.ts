import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';

// Built-in roles the CI identity may hand out, and nothing else (ids are the same in every tenant).
const assignableRoles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
  managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

/** An ABAC condition that lets a role-assignment administrator grant and revoke only `roles`. */
function onlyRoles(roles: string[]): string {
  const ids = roles.join(', ');
  return [
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
  ].join(' AND ');
}

/**
 * The identity GitHub Actions signs in as through OIDC, so no client secret exists anywhere: from pull
 * requests, the main branch and the deployment environment. It manages the resource group's resources
 * and grants the platform identities their roles, and only those roles.
 */
export class GitHubActions {
  readonly identity: UserAssignedIdentity;

  constructor(stack: OdpStack) {
    const { github } = stack.config;
    this.identity = new UserAssignedIdentity(stack, 'github', {
      ...stack.placement,
      name: 'id-odp-github-actions',
    });
    const repository = `${github.owner}/${github.repository}`;
    const subjects = {
      pull_request: `repo:${repository}:pull_request`,
      main: `repo:${repository}:ref:refs/heads/${github.branch}`,
      environment: `repo:${repository}:environment:${github.environment}`,
    };
    for (const [key, subject] of Object.entries(subjects)) {
      new FederatedIdentityCredential(stack, `github_${key}`, {
        name: `github-${key.replaceAll('_', '-')}`,
        resourceGroupName: stack.group.name,
        parentId: this.identity.id,
        issuer: 'https://token.actions.githubusercontent.com',
        audience: ['api://AzureADTokenExchange'],
        subject,
      });
    }
    grantRole(stack, 'github_contributor', {
      scope: stack.group.id,
      role: 'Contributor',
      principalId: this.identity.principalId,
      description: 'GitHub Actions manages the resources in the ODP resource group.',
    });
    grantRole(stack, 'github_role_assignments', {
      scope: stack.group.id,
      role: 'Role Based Access Control Administrator',
      principalId: this.identity.principalId,
      condition: onlyRoles(Object.values(assignableRoles)),
      description: 'GitHub Actions grants the platform identities their roles, and only those roles.',
    });
  }
}
