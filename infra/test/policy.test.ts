import { checkDeploymentPolicies, checkPolicies, type Finding, resourcesFromSynth } from '@odp/policy';
import { expect } from 'chai';
import { stackNames, synthesizedStack, type TerraformJson } from './synthesized.js';

// The environment's hard policies over what the stacks really synthesize, and proof that each test
// fails when the attribute it guards is flipped in a copy of the synthesized JSON.
type Stack = (typeof stackNames)[number];

function findings(stack: Stack, change: (json: TerraformJson) => void = () => {}): Finding[] {
  const json = synthesizedStack(stack);
  change(json);
  return checkPolicies(resourcesFromSynth(json));
}

const blocksOf = (json: TerraformJson, type: string) => Object.entries(json.resource[type] ?? {});
const storageAccounts = stackNames.flatMap((stack) =>
  blocksOf(synthesizedStack(stack), 'azurerm_storage_account').map(([name]) => ({ stack, name })),
);

describe('policies over the synthesized stacks', () => {
  for (const stack of stackNames) {
    it(`${stack} breaks no policy`, () => {
      expect(findings(stack)).to.deep.equal([]);
    });
  }

  it('the deployment as a whole has a VPN gateway in its virtual network', () => {
    const all = stackNames.flatMap((stack) => resourcesFromSynth(synthesizedStack(stack)));
    expect(checkDeploymentPolicies(all)).to.deep.equal([]);
    const withoutVpn = all.filter(({ address }) => !address.startsWith('azurerm_virtual_network_gateway.'));
    expect(checkDeploymentPolicies(withoutVpn)).to.deep.include({
      rule: 'vpn-gateway-present',
      address: 'azurerm_virtual_network.network',
      message: 'has no VPN gateway in its GatewaySubnet',
    });
  });

  it('covers both storage accounts: Terraform state and the lake', () => {
    expect(storageAccounts).to.deep.equal([
      { stack: 'bootstrap', name: 'state' },
      { stack: 'platform', name: 'lake' },
    ]);
  });

  for (const { stack, name } of storageAccounts) {
    const address = `azurerm_storage_account.${name}`;
    for (const [attribute, rule] of [
      ['public_network_access_enabled', 'storage-public-network-access'],
      ['shared_access_key_enabled', 'storage-shared-key'],
    ] as const) {
      it(`fails when ${stack}'s ${address} sets ${attribute} = true`, () => {
        const found = findings(stack, (json) => {
          json.resource.azurerm_storage_account![name]![attribute] = true;
        });
        expect(found.map((finding) => [finding.rule, finding.address])).to.deep.equal([[rule, address]]);
        expect(found[0]?.message).to.match(new RegExp(`^${attribute} must be false`));
      });
    }

    it(`fails when ${stack}'s ${address} loses its blob private endpoint`, () => {
      const found = findings(stack, (json) => {
        delete json.resource.azurerm_private_endpoint![`${name}_blob`];
      });
      expect(found).to.deep.include({
        rule: 'storage-private-endpoint',
        address,
        message: 'no private endpoint with a private DNS zone group reaches its blob endpoint',
      });
    });
  }

  it('covers the language model account', () => {
    const accounts = stackNames.flatMap((stack) =>
      blocksOf(synthesizedStack(stack), 'azurerm_cognitive_account').map(([name]) => ({ stack, name })),
    );
    expect(accounts).to.deep.equal([{ stack: 'platform', name: 'openai' }]);
  });

  for (const [attribute, rule] of [
    ['public_network_access_enabled', 'cognitive-public-network-access'],
    ['local_auth_enabled', 'cognitive-local-auth'],
  ] as const) {
    it(`fails when the language model account sets ${attribute} = true, or leaves it to Azure's default`, () => {
      for (const value of [true, undefined]) {
        const found = findings('platform', (json) => {
          json.resource.azurerm_cognitive_account!.openai![attribute] = value;
        });
        expect(
          found.map((finding) => [finding.rule, finding.address]),
          String(value),
        ).to.deep.equal([[rule, 'azurerm_cognitive_account.openai']]);
      }
    });
  }

  it('fails when the language model account loses its private endpoint', () => {
    const found = findings('platform', (json) => {
      delete json.resource.azurerm_private_endpoint!.openai_account;
    });
    expect(found).to.deep.equal([
      {
        rule: 'cognitive-private-endpoint',
        address: 'azurerm_cognitive_account.openai',
        message: 'no private endpoint with a private DNS zone group reaches its account endpoint',
      },
    ]);
  });

  it('fails when an AKS pool stops encrypting at host, naming the pool', () => {
    const found = findings('platform', (json) => {
      const cluster = json.resource.azurerm_kubernetes_cluster!.cluster as {
        default_node_pool: Record<string, unknown>;
      };
      cluster.default_node_pool.host_encryption_enabled = false;
      json.resource.azurerm_kubernetes_cluster_node_pool!.work_pool!.host_encryption_enabled = false;
    });
    expect(found.map(({ rule, address }) => `${rule} ${address}`)).to.deep.equal([
      'aks-host-encryption azurerm_kubernetes_cluster.cluster',
      'aks-host-encryption azurerm_kubernetes_cluster_node_pool.work_pool',
    ]);
  });

  for (const key of ['azurerm_storage_account.lake', 'azurerm_cognitive_account.openai']) {
    it(`fails when anything reads ${key}'s account key, naming the reader`, () => {
      const found = findings('platform', (json) => {
        const flux = json.resource.azurerm_kubernetes_flux_configuration!.flux_configuration as {
          kustomizations: { post_build: { substitute: Record<string, string> } }[];
        };
        flux.kustomizations[0]!.post_build.substitute.ODP_KEY = `\${${key}.primary_access_key}`;
      });
      expect(found.map(({ rule, address }) => `${rule} ${address}`)).to.deep.equal([
        'storage-secrets azurerm_kubernetes_flux_configuration.flux_configuration',
      ]);
    });
  }

  it('fails when storage access is granted to something other than a managed identity', () => {
    const found = findings('platform', (json) => {
      const grant = json.resource.azurerm_role_assignment!.service_lake!;
      grant.principal_id = '11111111-2222-3333-4444-555555555555';
    });
    expect(found.map(({ rule, address }) => `${rule} ${address}`)).to.deep.equal([
      'storage-managed-identity azurerm_role_assignment.service_lake',
    ]);
  });

  it('fails when a resource leaves italynorth or the given resource group', () => {
    const found = findings('vpn', (json) => {
      json.resource.azurerm_public_ip!.gateway_address!.location = 'westeurope';
      json.resource.azurerm_virtual_network_gateway!.vpn!.resource_group_name = 'elsewhere';
    });
    expect(found.map(({ rule, address }) => `${rule} ${address}`)).to.deep.equal([
      'required-location azurerm_public_ip.gateway_address',
      'required-resource-group azurerm_virtual_network_gateway.vpn',
    ]);
  });

  it('fails when the platform would create a Kubernetes workload', () => {
    const found = findings('platform', (json) => {
      json.resource.kubernetes_deployment = { service: { metadata: [{ name: 'data-service' }] } };
    });
    expect(found.map(({ rule, address }) => `${rule} ${address}`)).to.deep.equal([
      'no-workloads kubernetes_deployment.service',
    ]);
  });
});
