import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { GITHUB_ISSUER } from '@odp/policy';
import { grantRole } from './grantRole.js';
import type { OdpStack } from './OdpStack.js';

// Built-in roles the apply identity may hand out, and nothing else (ids are the same in every tenant): the
// roles the platform stack grants its own identities.
const assignableRoles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
  managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd',
};

/**
 * An ABAC condition that lets a role-assignment administrator grant and revoke only `roles`, only to service
 * principals, and never to the pipelines' own identities (so an apply cannot widen what the pipelines hold).
 */
function onlyRoles(roles: string[], notTo: string[]): string {
  const ids = roles.join(', ');
  const write = "ActionMatches{'Microsoft.Authorization/roleAssignments/write'}";
  const remove = "ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}";
  const request = (attribute: string) => `@Request[Microsoft.Authorization/roleAssignments:${attribute}]`;
  return [
    `((!(${write})) OR (${request('RoleDefinitionId')} ForAnyOfAnyValues:GuidEquals {${ids}}))`,
    `((!(${write})) OR (${request('PrincipalType')} ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))`,
    `((!(${write})) OR (!(${request('PrincipalId')} ForAnyOfAnyValues:GuidEquals {${notTo.join(', ')}})))`,
    `((!(${remove})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
  ].join(' AND ');
}

/**
 * The identities GitHub Actions signs in as through OIDC (no client secret exists anywhere), one per trust
 * level, each trusted only from the runs that need it:
 * - plan: pull requests, the main branch (drift) and the deployment environment (the apply job's own plan).
 *   It only reads: pull request runs execute code the PR's author controls.
 * - apply: the deployment environment only, where required reviewers approve every run. It manages the
 *   resource group's resources and grants the platform identities their roles, and only those roles.
 * - image: the image environment only; it may push to the registry (granted by the platform stack).
 */
export class GitHubActions {
  readonly plan: UserAssignedIdentity;
  readonly apply: UserAssignedIdentity;
  readonly image: UserAssignedIdentity;

  constructor(stack: OdpStack) {
    const { github } = stack.config;
    const repository = `repo:${github.owner}/${github.repository}`;
    const subjects = {
      pullRequest: `${repository}:pull_request`,
      branch: `${repository}:ref:refs/heads/${github.branch}`,
      deployment: `${repository}:environment:${github.environment}`,
      image: `${repository}:environment:${github.imageEnvironment}`,
    };
    const identity = (id: string, name: string, trustedFrom: Record<string, string>) => {
      const made = new UserAssignedIdentity(stack, id, { ...stack.placement, name });
      for (const [key, subject] of Object.entries(trustedFrom)) {
        new FederatedIdentityCredential(stack, `${id}_${key}`, {
          name: `github-${key.replaceAll('_', '-')}`,
          resourceGroupName: stack.group.name,
          parentId: made.id,
          issuer: GITHUB_ISSUER,
          audience: ['api://AzureADTokenExchange'],
          subject,
        });
      }
      return made;
    };
    this.plan = identity('github_plan', github.identities.plan, {
      pull_request: subjects.pullRequest,
      branch: subjects.branch,
      environment: subjects.deployment,
    });
    this.apply = identity('github_apply', github.identities.apply, { environment: subjects.deployment });
    this.image = identity('github_image', github.identities.image, { environment: subjects.image });

    grantRole(stack, 'github_plan_reader', {
      scope: stack.group.id,
      role: 'Reader',
      principalId: this.plan.principalId,
      description: 'Pull requests and drift checks plan against what exists, and change nothing.',
    });
    grantRole(stack, 'github_plan_cluster_user', {
      scope: stack.group.id,
      role: 'Azure Kubernetes Service Cluster User Role',
      principalId: this.plan.principalId,
      description:
        'Refreshing a cluster reads its user kubeconfig, which holds no credential with local accounts off.',
    });
    grantRole(stack, 'github_apply_contributor', {
      scope: stack.group.id,
      role: 'Contributor',
      principalId: this.apply.principalId,
      description: 'Approved applies manage the resources in the ODP resource group.',
    });
    grantRole(stack, 'github_apply_role_assignments', {
      scope: stack.group.id,
      role: 'Role Based Access Control Administrator',
      principalId: this.apply.principalId,
      condition: onlyRoles(Object.values(assignableRoles), [this.plan.principalId, this.apply.principalId]),
      description: 'Approved applies grant the platform identities their roles, and only those roles.',
    });
  }
}
