import { expect } from 'chai';
import { checkPolicies, identityGrants, type ResourceView } from '../src/index.js';

const ref = (expression: string) => `\${${expression}}`;
const placed = { location: 'italynorth', resource_group_name: 'jkl-open-data-platform' };
const repo = 'repo:jkl/open-data-platform';

const identity = (name: string, azureName = `id-${name}`): ResourceView => ({
  address: `azurerm_user_assigned_identity.${name}`,
  type: 'azurerm_user_assigned_identity',
  values: { ...placed, name: azureName },
});
const trust = (name: string, subject: string, issuer = 'https://token.actions.githubusercontent.com') => ({
  address: `azurerm_federated_identity_credential.${name}_${subject.split(':').pop()?.replace(/\W/g, '_')}`,
  type: 'azurerm_federated_identity_credential',
  values: {
    name: `${name}-credential`,
    resource_group_name: 'jkl-open-data-platform',
    parent_id: ref(`azurerm_user_assigned_identity.${name}.id`),
    issuer,
    audience: ['api://AzureADTokenExchange'],
    subject,
  },
});
const grant = (id: string, to: string, role: Record<string, string>): ResourceView => ({
  address: `azurerm_role_assignment.${id}`,
  type: 'azurerm_role_assignment',
  values: {
    scope: ref('data.azurerm_resource_group.odp.id'),
    principal_id: ref(`azurerm_user_assigned_identity.${to}.principal_id`),
    principal_type: 'ServicePrincipal',
    ...role,
  },
});
const findings = (resources: ResourceView[]) =>
  checkPolicies(resources)
    .filter(({ rule }) => rule === 'github-trust')
    .map(({ address, message }) => ({ address, message }));

const plan = [
  identity('plan'),
  trust('plan', `${repo}:pull_request`),
  trust('plan', `${repo}:ref:refs/heads/main`),
  grant('plan_reader', 'plan', { role_definition_name: 'Reader' }),
  grant('plan_state', 'plan', { role_definition_name: 'Storage Blob Data Reader' }),
];

describe('github-trust: identities GitHub trusts outside a deployment environment only read', () => {
  it('accepts an identity trusted from pull requests and main that holds read-only roles', () => {
    expect(findings(plan)).to.deep.equal([]);
  });

  it('rejects a role with write permissions, computed from its definition, naming the assignment', () => {
    const found = findings([
      ...plan,
      grant('plan_contributor', 'plan', { role_definition_name: 'Contributor' }),
    ]);
    expect(found.map(({ address }) => address)).to.deep.equal(['azurerm_role_assignment.plan_contributor']);
    expect(found[0]?.message).to.match(
      /^grants Contributor to id-plan, which GitHub trusts from repo:jkl\/open-data-platform:pull_request, repo:jkl\/open-data-platform:ref:refs\/heads\/main: \* goes beyond reading/,
    );
  });

  it('judges a role by its permissions, so a role given by its id is judged like its name', () => {
    const byId = grant('plan_push', 'plan', {
      role_definition_id:
        '/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec',
    });
    expect(findings([...plan, byId])[0]?.message).to.include(
      'Microsoft.ContainerRegistry/registries/push/write goes beyond reading',
    );
  });

  it('reads the permissions of a custom role the deployment defines', () => {
    const custom = (actions: string[]): ResourceView => ({
      address: 'azurerm_role_definition.planner',
      type: 'azurerm_role_definition',
      values: {
        name: 'odp-planner',
        scope: ref('data.azurerm_resource_group.odp.id'),
        permissions: [{ actions, not_actions: [], data_actions: [], not_data_actions: [] }],
      },
    });
    const assignment = grant('plan_custom', 'plan', {
      role_definition_id: ref('azurerm_role_definition.planner.role_definition_resource_id'),
    });
    expect(findings([...plan, custom(['Microsoft.App/jobs/read']), assignment])).to.deep.equal([]);
    expect(
      findings([...plan, custom(['Microsoft.App/jobs/start/action']), assignment])[0]?.message,
    ).to.include('grants odp-planner to id-plan');
  });

  it('reports a role it does not know instead of assuming it harmless', () => {
    const found = findings([
      ...plan,
      grant('plan_mystery', 'plan', { role_definition_name: 'Mystery Operator' }),
    ]);
    expect(found[0]?.message).to.include('the policy does not know that role');
  });

  it('lets an identity trusted only from a deployment environment change things', () => {
    const apply = [
      identity('apply'),
      trust('apply', `${repo}:environment:poc`),
      grant('apply_contributor', 'apply', { role_definition_name: 'Contributor' }),
    ];
    expect(findings(apply)).to.deep.equal([]);
    const alsoFromPullRequests = [...apply, trust('apply', `${repo}:pull_request`)];
    expect(findings(alsoFromPullRequests).map(({ address }) => address)).to.deep.equal([
      'azurerm_role_assignment.apply_contributor',
    ]);
  });

  it('leaves identities other issuers trust (workload identity in the cluster) to other rules', () => {
    const service = [
      identity('service'),
      trust('service', 'system:serviceaccount:odp:lake-service', 'https://oidc.example/cluster'),
      grant('service_lake', 'service', { role_definition_name: 'Storage Blob Data Contributor' }),
    ];
    expect(findings(service)).to.deep.equal([]);
  });

  it('counts reading a cluster user kubeconfig as reading only while every cluster has local accounts off', () => {
    const cluster = (localAccountDisabled: boolean): ResourceView => ({
      address: 'azurerm_kubernetes_cluster.cluster',
      type: 'azurerm_kubernetes_cluster',
      values: { ...placed, name: 'aks', local_account_disabled: localAccountDisabled },
    });
    const user = grant('plan_cluster_user', 'plan', {
      role_definition_name: 'Azure Kubernetes Service Cluster User Role',
    });
    expect(findings([...plan, user, cluster(true)])).to.deep.equal([]);
    expect(findings([...plan, user, cluster(false)])[0]?.message).to.include(
      'listClusterUserCredential/action goes beyond reading',
    );
  });

  it('joins an identity looked up by name in one stack with its credentials declared in another', () => {
    const lookedUp: ResourceView = {
      address: 'data.azurerm_user_assigned_identity.publisher',
      type: 'azurerm_user_assigned_identity',
      values: { name: 'id-publisher', resource_group_name: 'jkl-open-data-platform' },
    };
    const push: ResourceView = {
      address: 'azurerm_role_assignment.publisher_push',
      type: 'azurerm_role_assignment',
      values: {
        scope: ref('azurerm_container_registry.registry.id'),
        role_definition_name: 'AcrPush',
        principal_id: ref('data.azurerm_user_assigned_identity.publisher.principal_id'),
      },
    };
    const deployment = [
      identity('publisher'),
      trust('publisher', `${repo}:ref:refs/heads/main`),
      lookedUp,
      push,
    ];
    const [publisher] = identityGrants(deployment);
    expect(publisher?.addresses).to.deep.equal([
      'azurerm_user_assigned_identity.publisher',
      'data.azurerm_user_assigned_identity.publisher',
    ]);
    expect(findings(deployment).map(({ address }) => address)).to.deep.equal([
      'azurerm_role_assignment.publisher_push',
    ]);
  });

  it('follows known ids in a plan, where references are already resolved', () => {
    const known: ResourceView[] = [
      {
        ...identity('plan'),
        values: {
          ...identity('plan').values,
          id: '/x/id-plan',
          principal_id: 'aaaaaaaa-0000-0000-0000-000000000001',
        },
      },
      {
        ...trust('plan', `${repo}:pull_request`),
        values: { ...trust('plan', `${repo}:pull_request`).values, parent_id: '/x/id-plan' },
      },
      {
        ...grant('plan_owner', 'plan', { role_definition_name: 'Contributor' }),
        values: {
          ...grant('plan_owner', 'plan', { role_definition_name: 'Contributor' }).values,
          principal_id: 'AAAAAAAA-0000-0000-0000-000000000001',
        },
      },
    ];
    expect(findings(known).map(({ address }) => address)).to.deep.equal([
      'azurerm_role_assignment.plan_owner',
    ]);
  });
});
