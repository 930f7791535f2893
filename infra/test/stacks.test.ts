import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { synthesize } from '../src/app.js';
import { scratchDir, stackNames, synthesizedStack, type TerraformJson } from './synthesized.js';

// What keeps releases incremental: stateful resources cannot be destroyed by a plan, names never
// change between synths, and every stack keeps its own state in the private state account.
const stateful = [
  'azurerm_storage_account',
  'azurerm_storage_container',
  'azurerm_postgresql_flexible_server',
  'azurerm_postgresql_flexible_server_database',
  'azurerm_key_vault',
  'azurerm_container_registry',
];

const resourcesOf = (json: TerraformJson) =>
  Object.entries(json.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ address: `${type}.${name}`, type, body })),
  );

describe('stacks', () => {
  it('protect every stateful resource with prevent_destroy', () => {
    const unprotected = stackNames
      .flatMap((stack) => resourcesOf(synthesizedStack(stack)))
      .filter(({ type }) => stateful.includes(type))
      .filter(
        ({ body }) => (body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy !== true,
      )
      .map(({ address }) => address);
    expect(unprotected).to.deep.equal([]);
  });

  it('synthesize to the same JSON every time (no random names)', () => {
    const again = scratchDir('odp-infra-resynth-');
    synthesize(again);
    for (const stack of stackNames) {
      const text = readFileSync(join(again, 'stacks', stack, 'cdk.tf.json'), 'utf8');
      expect(JSON.parse(text), stack).to.deep.equal(synthesizedStack(stack));
      expect(text, `${stack} uses a random provider`).not.to.match(/"random_|\$\{random_/);
    }
  });

  for (const stack of stackNames) {
    it(`${stack} keeps its state in the private state account and talks to storage with Entra ID only`, () => {
      const json = synthesizedStack(stack);
      expect((json.terraform as { backend: unknown }).backend).to.deep.equal({
        azurerm: {
          container_name: 'tfstate',
          key: `${stack}.tfstate`,
          resource_group_name: 'jkl-open-data-platform',
          storage_account_name: 'stjklodptfstate',
          use_azuread_auth: true,
        },
      });
      const [provider] = (json.provider as { azurerm: Record<string, unknown>[] }).azurerm;
      expect(provider).to.include({ storage_use_azuread: true });
      expect(provider?.features).to.deep.equal([{ storage: [{ data_plane_available: false }] }]);
    });
  }

  it('leave autoscaled node counts to the autoscaler', () => {
    const platform = synthesizedStack('platform');
    const cluster = platform.resource.azurerm_kubernetes_cluster!.cluster!;
    const pool = platform.resource.azurerm_kubernetes_cluster_node_pool!.work_pool!;
    expect((cluster.lifecycle as { ignore_changes: string[] }).ignore_changes).to.include(
      'default_node_pool[0].node_count',
    );
    expect((pool.lifecycle as { ignore_changes: string[] }).ignore_changes).to.include('node_count');
  });

  it('hand Terraform outputs to the manifests through Flux substitution, not Git', () => {
    const flux =
      synthesizedStack('platform').resource.azurerm_kubernetes_flux_configuration!.flux_configuration!;
    const [kustomization] = flux.kustomizations as {
      path: string;
      garbage_collection_enabled: boolean;
      post_build: { substitute: Record<string, string> };
    }[];
    expect(kustomization).to.include({ path: './clusters/poc', garbage_collection_enabled: true });
    const { substitute } = kustomization!.post_build;
    // The names the manifests under clusters/poc and apps/ expect.
    expect(Object.keys(substitute).sort()).to.deep.equal([
      'ODP_API_IDENTITY_CLIENT_ID',
      'ODP_GITHUB_REPOSITORY',
      'ODP_IDENTITY_CLIENT_ID',
      'ODP_INGRESS_HOST',
      'ODP_KEY_VAULT_NAME',
      'ODP_OPENAI_DEPLOYMENT',
      'ODP_OPENAI_ENDPOINT',
      'ODP_PG_API_USER',
      'ODP_PG_HOST',
      'ODP_PG_USER',
      'ODP_POSTGRES_SUBNET_CIDR',
      'ODP_PRIVATE_ENDPOINT_SUBNET_CIDR',
      'ODP_REGISTRY',
      'ODP_RESOURCE_GROUP',
      'ODP_STORAGE_ACCOUNT',
      'ODP_TENANT_ID',
    ]);
    expect(substitute.ODP_IDENTITY_CLIENT_ID).to.equal(
      `\${azurerm_user_assigned_identity.service_identity.client_id}`,
    );
    expect(substitute.ODP_API_IDENTITY_CLIENT_ID).to.equal(
      `\${azurerm_user_assigned_identity.api_identity.client_id}`,
    );
    expect(substitute.ODP_STORAGE_ACCOUNT).to.equal(`\${azurerm_storage_account.lake.name}`);
    expect(substitute.ODP_PG_HOST).to.equal(`\${azurerm_postgresql_flexible_server.catalog.fqdn}`);
    expect(substitute.ODP_OPENAI_ENDPOINT).to.equal(
      `\${trimsuffix(azurerm_cognitive_account.openai.endpoint, "/")}`,
    );
    expect(substitute.ODP_OPENAI_DEPLOYMENT).to.equal(`\${azurerm_cognitive_deployment.openai_model.name}`);
  });
});
