import { expect } from 'chai';
import { checkDeploymentPolicies, checkPolicies, type ResourceView } from '../src/index.js';

// A Terraform interpolation, as the synthesized JSON writes references.
const ref = (expression: string) => `\${${expression}}`;

// Small hand-written deployments, one broken policy each; the synthesized stacks are covered in policy.test.ts.
const group: ResourceView = {
  address: 'azurerm_resource_group.odp',
  type: 'azurerm_resource_group',
  values: { name: 'jkl-open-data-platform', location: 'italynorth' },
};
const placed = { location: 'italynorth', resource_group_name: ref('azurerm_resource_group.odp.name') };
const account: ResourceView = {
  address: 'azurerm_storage_account.lake',
  type: 'azurerm_storage_account',
  values: {
    ...placed,
    name: 'stodplake',
    public_network_access_enabled: false,
    shared_access_key_enabled: false,
  },
};
const endpoint = (subresource: string): ResourceView => ({
  address: `azurerm_private_endpoint.lake_${subresource}`,
  type: 'azurerm_private_endpoint',
  values: {
    ...placed,
    private_service_connection: [
      {
        private_connection_resource_id: ref('azurerm_storage_account.lake.id'),
        subresource_names: [subresource],
      },
    ],
    private_dns_zone_group: [
      { name: 'default', private_dns_zone_ids: [ref('azurerm_private_dns_zone.blob.id')] },
    ],
  },
});
const compliant = [group, account, endpoint('blob')];

const rulesOf = (resources: readonly ResourceView[]) =>
  checkPolicies(resources).map(({ rule, address }) => `${rule} ${address}`);
const replace = (resource: ResourceView, values: Record<string, unknown>): ResourceView => ({
  ...resource,
  values: { ...resource.values, ...values },
});

describe('policy rules', () => {
  it('accept a private, keyless storage account reached over a private endpoint', () => {
    expect(checkPolicies(compliant)).to.deep.equal([]);
  });

  it('reject public network access and shared keys, naming the account', () => {
    const open = replace(account, {
      public_network_access_enabled: true,
      shared_access_key_enabled: undefined,
    });
    expect(rulesOf([group, open, endpoint('blob')])).to.deep.equal([
      'storage-public-network-access azurerm_storage_account.lake',
      'storage-shared-key azurerm_storage_account.lake',
    ]);
  });

  it('require a dfs endpoint too when the hierarchical namespace is on', () => {
    const lake = replace(account, { is_hns_enabled: true });
    expect(rulesOf([group, lake, endpoint('blob')])).to.deep.equal([
      'storage-private-endpoint azurerm_storage_account.lake',
    ]);
    expect(rulesOf([group, lake, endpoint('blob'), endpoint('dfs')])).to.deep.equal([]);
  });

  it('reject reading an account key, a connection string or a SAS anywhere', () => {
    const app: ResourceView = {
      address: 'azurerm_container_app_job.runner',
      type: 'azurerm_container_app_job',
      values: {
        ...placed,
        secret: [{ name: 'storage', value: ref('azurerm_storage_account.lake.primary_connection_string') }],
      },
    };
    const sas: ResourceView = {
      address: 'data.azurerm_storage_account_sas.x',
      type: 'azurerm_storage_account_sas',
      values: {},
    };
    const literal = replace(app, { secret: [], storage_account_access_key: 'abc' });
    expect(rulesOf([...compliant, app, sas])).to.deep.equal([
      'storage-secrets azurerm_container_app_job.runner',
      'storage-secrets data.azurerm_storage_account_sas.x',
    ]);
    expect(rulesOf([...compliant, literal])).to.deep.equal([
      'storage-secrets azurerm_container_app_job.runner',
    ]);
  });

  it('grant storage roles only to managed identities or, explicitly, to people', () => {
    const grant = (principal: string, principalType?: string): ResourceView => ({
      address: 'azurerm_role_assignment.lake',
      type: 'azurerm_role_assignment',
      values: {
        scope: ref('azurerm_storage_account.lake.id'),
        role_definition_name: 'Storage Blob Data Contributor',
        principal_id: principal,
        ...(principalType ? { principal_type: principalType } : {}),
      },
    });
    expect(
      rulesOf([...compliant, grant(ref('azurerm_user_assigned_identity.service.principal_id'))]),
    ).to.deep.equal([]);
    expect(
      rulesOf([...compliant, grant(ref('azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id'))]),
    ).to.deep.equal([]);
    expect(rulesOf([...compliant, grant('00000000-0000-0000-0000-000000000001', 'Group')])).to.deep.equal([]);
    expect(rulesOf([...compliant, grant('00000000-0000-0000-0000-000000000001')])).to.deep.equal([
      'storage-managed-identity azurerm_role_assignment.lake',
    ]);
  });

  it('require host encryption on the default and every extra AKS pool', () => {
    const cluster: ResourceView = {
      address: 'azurerm_kubernetes_cluster.aks',
      type: 'azurerm_kubernetes_cluster',
      values: {
        ...placed,
        identity: [{ type: 'UserAssigned' }],
        default_node_pool: [{ host_encryption_enabled: false }],
      },
    };
    const pool: ResourceView = {
      address: 'azurerm_kubernetes_cluster_node_pool.user',
      type: 'azurerm_kubernetes_cluster_node_pool',
      values: {},
    };
    expect(rulesOf([group, cluster, pool])).to.deep.equal([
      'aks-host-encryption azurerm_kubernetes_cluster.aks',
      'aks-host-encryption azurerm_kubernetes_cluster_node_pool.user',
    ]);
  });

  it('keep every resource in italynorth and in the given resource group', () => {
    const elsewhere = replace(account, { location: 'westeurope', resource_group_name: 'other' });
    expect(rulesOf([group, elsewhere, endpoint('blob')])).to.deep.equal([
      'required-location azurerm_storage_account.lake',
      'required-resource-group azurerm_storage_account.lake',
    ]);
  });

  it('reject resources that create Kubernetes workloads, build images or run provisioners', () => {
    const manifest: ResourceView = {
      address: 'kubernetes_deployment.app',
      type: 'kubernetes_deployment',
      values: {},
    };
    const task: ResourceView = {
      address: 'azurerm_container_registry_task.build',
      type: 'azurerm_container_registry_task',
      values: {},
    };
    const script: ResourceView = {
      address: 'terraform_data.push',
      type: 'terraform_data',
      values: { provisioner: { 'local-exec': { command: 'docker push' } } },
    };
    expect(rulesOf([...compliant, manifest, task, script])).to.deep.equal([
      'no-workloads kubernetes_deployment.app',
      'no-workloads azurerm_container_registry_task.build',
      'no-workloads terraform_data.push',
    ]);
  });

  it('require a VPN gateway in the GatewaySubnet of every virtual network of the deployment', () => {
    const network: ResourceView = {
      address: 'azurerm_virtual_network.odp',
      type: 'azurerm_virtual_network',
      values: { ...placed, name: 'vnet-odp' },
    };
    const subnet: ResourceView = {
      address: 'data.azurerm_subnet.gateway',
      type: 'azurerm_subnet',
      values: { name: 'GatewaySubnet', virtual_network_name: 'vnet-odp' },
    };
    const gateway: ResourceView = {
      address: 'azurerm_virtual_network_gateway.vpn',
      type: 'azurerm_virtual_network_gateway',
      values: {
        ...placed,
        type: 'Vpn',
        ip_configuration: [{ subnet_id: ref('data.azurerm_subnet.gateway.id') }],
      },
    };
    const deployment = [...compliant, network, subnet, gateway];
    expect(checkDeploymentPolicies(deployment)).to.deep.equal([]);
    expect(checkDeploymentPolicies([...compliant, network]).map(({ address }) => address)).to.deep.equal([
      'azurerm_virtual_network.odp',
    ]);
    const misplaced = replace(gateway, { type: 'ExpressRoute' });
    expect(rulesOf([...compliant, network, subnet, misplaced])).to.deep.equal([
      'vpn-gateway azurerm_virtual_network_gateway.vpn',
    ]);
  });
});
