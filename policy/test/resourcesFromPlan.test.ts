import { expect } from 'chai';
import { checkPolicies, resourcesFromPlan, resourcesFromSynth } from '../src/index.js';

// A Terraform interpolation, as the synthesized JSON writes references.
const ref = (expression: string) => `\${${expression}}`;

// The shape `terraform show -json` prints for a plan that creates an account and its endpoint,
// updates nothing else and deletes an old account.
const plan = {
  format_version: '1.2',
  resource_changes: [
    {
      address: 'azurerm_storage_account.lake',
      mode: 'managed',
      type: 'azurerm_storage_account',
      change: {
        actions: ['create'],
        after: {
          name: 'stodplake',
          location: 'italynorth',
          resource_group_name: 'jkl-open-data-platform',
          public_network_access_enabled: false,
          shared_access_key_enabled: true,
        },
        after_unknown: { id: true, primary_access_key: true },
      },
    },
    {
      address: 'azurerm_private_endpoint.lake_blob',
      mode: 'managed',
      type: 'azurerm_private_endpoint',
      change: {
        actions: ['create'],
        after: {
          location: 'italynorth',
          resource_group_name: 'jkl-open-data-platform',
          private_service_connection: [{ subresource_names: ['blob'] }],
          private_dns_zone_group: [{ name: 'default' }],
        },
        after_unknown: { id: true, private_service_connection: [{ private_connection_resource_id: true }] },
      },
    },
    {
      address: 'azurerm_storage_account.old',
      mode: 'managed',
      type: 'azurerm_storage_account',
      change: { actions: ['delete'], before: { name: 'old' }, after: null },
    },
  ],
  configuration: {
    root_module: {
      resources: [
        {
          address: 'azurerm_private_endpoint.lake_blob',
          expressions: {
            private_service_connection: [
              {
                private_connection_resource_id: {
                  references: ['azurerm_storage_account.lake.id', 'azurerm_storage_account.lake'],
                },
              },
            ],
          },
        },
      ],
    },
  },
};

describe('resourcesFromPlan', () => {
  it('skips deletions and fills unknown values with the references the configuration gives', () => {
    const resources = resourcesFromPlan(plan);
    expect(resources.map(({ address }) => address)).to.deep.equal([
      'azurerm_storage_account.lake',
      'azurerm_private_endpoint.lake_blob',
    ]);
    expect(resources[1]?.values.private_service_connection).to.deep.equal([
      { subresource_names: ['blob'], private_connection_resource_id: ref('azurerm_storage_account.lake.id') },
    ]);
  });

  it('lets the same rules judge a plan as a synthesized stack', () => {
    expect(checkPolicies(resourcesFromPlan(plan))).to.deep.equal([
      {
        rule: 'storage-shared-key',
        address: 'azurerm_storage_account.lake',
        message:
          'shared_access_key_enabled must be false (is true): storage accounts accept Entra ID tokens only, never account keys or SAS signed with them',
      },
    ]);
  });

  it('rejects input that is not a plan, saying where', () => {
    expect(() => resourcesFromPlan('nope')).to.throw(/plan JSON: expected the object/);
    expect(() => resourcesFromPlan({ resource_changes: [{ address: 'a.b', type: 'a' }] })).to.throw(
      /resource_changes\[0\] \(a\.b\) lacks "change\.actions"/,
    );
    expect(() => resourcesFromSynth({ resource: { azurerm_x: [] } })).to.throw(
      /"resource\.azurerm_x" must be an object/,
    );
  });
});
