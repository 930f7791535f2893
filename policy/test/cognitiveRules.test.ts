import { expect } from 'chai';
import { checkPolicies, LANGUAGE_MODEL_CALLER, type ResourceView } from '../src/index.js';

// A Terraform interpolation, as the synthesized JSON writes references.
const ref = (expression: string) => `\${${expression}}`;

// A small hand-written deployment with a language model; the synthesized platform stack is covered in
// infra/test/policy.test.ts and infra/test/identities.test.ts.
const placed = { location: 'italynorth', resource_group_name: 'jkl-open-data-platform' };
const identity = (name: string, azureName: string): ResourceView => ({
  address: `azurerm_user_assigned_identity.${name}`,
  type: 'azurerm_user_assigned_identity',
  values: { ...placed, name: azureName },
});
const writer = identity('writer', LANGUAGE_MODEL_CALLER);
const api = identity('api', 'id-odp-lake-api');
const account: ResourceView = {
  address: 'azurerm_cognitive_account.openai',
  type: 'azurerm_cognitive_account',
  values: {
    ...placed,
    name: 'oai-odp',
    kind: 'OpenAI',
    custom_subdomain_name: 'oai-odp',
    public_network_access_enabled: false,
    local_auth_enabled: false,
  },
};
const endpoint = (subresource: string, zoneGroup = true): ResourceView => ({
  address: 'azurerm_private_endpoint.openai_account',
  type: 'azurerm_private_endpoint',
  values: {
    ...placed,
    private_service_connection: [
      {
        private_connection_resource_id: ref('azurerm_cognitive_account.openai.id'),
        subresource_names: [subresource],
      },
    ],
    ...(zoneGroup
      ? {
          private_dns_zone_group: [
            { name: 'default', private_dns_zone_ids: [ref('azurerm_private_dns_zone.openai.id')] },
          ],
        }
      : {}),
  },
});
const grant = (
  name: string,
  role: string,
  principal: string,
  scope = ref('azurerm_cognitive_account.openai.id'),
): ResourceView => ({
  address: `azurerm_role_assignment.${name}`,
  type: 'azurerm_role_assignment',
  values: { scope, role_definition_name: role, principal_id: principal, principal_type: 'ServicePrincipal' },
});
const writerCalls = grant(
  'writer_openai',
  'Cognitive Services OpenAI User',
  ref('azurerm_user_assigned_identity.writer.principal_id'),
);
const compliant = [writer, api, account, endpoint('account'), writerCalls];

const found = (resources: readonly ResourceView[]) =>
  checkPolicies(resources).map(({ rule, address }) => `${rule} ${address}`);
const messages = (resources: readonly ResourceView[]) =>
  checkPolicies(resources).map(({ message }) => message);
const with_ = (resource: ResourceView, values: Record<string, unknown>): ResourceView => ({
  ...resource,
  values: { ...resource.values, ...values },
});
const but = (replaced: ResourceView, by: ResourceView) =>
  compliant.map((resource) => (resource.address === replaced.address ? by : resource));

describe('language model (Azure OpenAI) rules', () => {
  it('accept a private, keyless account reached over a private endpoint, called by the ingest identity only', () => {
    expect(checkPolicies(compliant)).to.deep.equal([]);
  });

  it('reject public network access, whether set or left to its default, naming the account', () => {
    for (const value of [true, undefined]) {
      expect(
        found(but(account, with_(account, { public_network_access_enabled: value }))),
        String(value),
      ).to.deep.equal(['cognitive-public-network-access azurerm_cognitive_account.openai']);
    }
  });

  it('reject local (API key) authentication, whether set or left to its default', () => {
    for (const value of [true, undefined]) {
      const keyed = but(account, with_(account, { local_auth_enabled: value }));
      expect(found(keyed), String(value)).to.deep.equal([
        'cognitive-local-auth azurerm_cognitive_account.openai',
      ]);
      expect(messages(keyed)[0]).to.match(/^local_auth_enabled must be false/);
    }
  });

  it('reject an account without a private endpoint on its account sub-resource, or one outside private DNS', () => {
    const endpointless = compliant.filter(({ type }) => type !== 'azurerm_private_endpoint');
    const expected = ['cognitive-private-endpoint azurerm_cognitive_account.openai'];
    expect(found(endpointless)).to.deep.equal(expected);
    expect(found(but(endpoint('account'), endpoint('blob')))).to.deep.equal(expected);
    expect(found(but(endpoint('account'), endpoint('account', false)))).to.deep.equal(expected);
    expect(messages(endpointless)).to.deep.equal([
      'no private endpoint with a private DNS zone group reaches its account endpoint',
    ]);
  });

  it('reject a model-calling role held by any identity but the ingest identity', () => {
    const apiCalls = grant(
      'api_openai',
      'Cognitive Services OpenAI User',
      ref('azurerm_user_assigned_identity.api.principal_id'),
    );
    const personCalls = grant(
      'person_openai',
      'Cognitive Services User',
      '00000000-0000-0000-0000-000000000001',
    );
    const resources = [...compliant, apiCalls, personCalls];
    expect(found(resources)).to.deep.equal([
      'cognitive-roles azurerm_role_assignment.api_openai',
      'cognitive-roles azurerm_role_assignment.person_openai',
    ]);
    expect(messages(resources)[0]).to.include(
      `which only ${LANGUAGE_MODEL_CALLER}, the ingest identity, may do`,
    );
  });

  it('follow known ids in a plan, where references are already resolved', () => {
    const known = (resource: ResourceView, principal: string) =>
      with_(resource, { principal_id: principal, id: `/identities/${resource.values.name}` });
    const accountId =
      '/subscriptions/s/resourceGroups/jkl-open-data-platform/providers/Microsoft.CognitiveServices/accounts/oai-odp';
    const planned = [
      known(writer, '00000000-0000-0000-0000-0000000000a1'),
      known(api, '00000000-0000-0000-0000-0000000000a2'),
      with_(account, { id: accountId }),
      with_(endpoint('account'), {
        private_service_connection: [
          { private_connection_resource_id: accountId, subresource_names: ['account'] },
        ],
      }),
      grant(
        'writer_openai',
        'Cognitive Services OpenAI User',
        '00000000-0000-0000-0000-0000000000a1',
        accountId,
      ),
    ];
    expect(checkPolicies(planned)).to.deep.equal([]);
    const apiToo = grant(
      'api_openai',
      'Cognitive Services OpenAI User',
      '00000000-0000-0000-0000-0000000000a2',
      accountId,
    );
    expect(found([...planned, apiToo])).to.deep.equal(['cognitive-roles azurerm_role_assignment.api_openai']);
  });

  it('reject a model-calling role, even the ingest identity’s, at a scope wider than the account', () => {
    const wide = with_(writerCalls, { scope: ref('data.azurerm_resource_group.odp.id') });
    const literal = with_(writerCalls, { scope: '/subscriptions/00000000-0000-0000-0000-00000000000b' });
    for (const broad of [wide, literal]) {
      expect(found(but(writerCalls, broad))).to.deep.equal([
        'cognitive-roles azurerm_role_assignment.writer_openai',
      ]);
      expect(messages(but(writerCalls, broad))[0]).to.include('wider than one language model account');
    }
  });

  it('reject Owner, Contributor and Cognitive Services Contributor on the account, for anyone', () => {
    const admins = ['Owner', 'Contributor', 'Cognitive Services Contributor'].map((role, i) =>
      grant(`admin_${i}`, role, ref('azurerm_user_assigned_identity.writer.principal_id')),
    );
    expect(found([...compliant, ...admins])).to.deep.equal([
      'cognitive-roles azurerm_role_assignment.admin_0',
      'cognitive-roles azurerm_role_assignment.admin_1',
      'cognitive-roles azurerm_role_assignment.admin_2',
    ]);
    // Also on an account known only by its id (a plan, or an account of another stack).
    const byId = grant(
      'admin_by_id',
      'Contributor',
      '00000000-0000-0000-0000-000000000002',
      '/subscriptions/s/resourceGroups/jkl-open-data-platform/providers/Microsoft.CognitiveServices/accounts/oai-odp',
    );
    expect(found([...compliant, byId])).to.deep.equal([
      'cognitive-roles azurerm_role_assignment.admin_by_id',
    ]);
  });

  it('leave Contributor on the resource group alone (how Terraform manages the account), and reject an unknown role on the account', () => {
    const groupContributor = grant(
      'apply_contributor',
      'Contributor',
      '00000000-0000-0000-0000-000000000003',
      ref('data.azurerm_resource_group.odp.id'),
    );
    expect(found([...compliant, groupContributor])).to.deep.equal([]);
    const unknown = grant(
      'mystery',
      'Azure AI Developer',
      ref('azurerm_user_assigned_identity.writer.principal_id'),
    );
    expect(found([...compliant, unknown])).to.deep.equal(['cognitive-roles azurerm_role_assignment.mystery']);
    expect(messages([...compliant, unknown])[0]).to.include("does not know that role's permissions");
  });
});
