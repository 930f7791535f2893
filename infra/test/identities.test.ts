import { readFileSync } from 'node:fs';
import {
  builtInRole,
  checkDeploymentPolicies,
  type IdentityGrants,
  identityGrants,
  type ResourceView,
  resourcesFromSynth,
} from '@odp/policy';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { pocConfig } from '../src/config.js';
import { stackNames, synthesizedStack, type TerraformJson } from './synthesized.js';

// Who can do what, computed from the synthesized stacks: which runs each identity trusts, and what the roles
// it holds allow by their definitions. Each promise is also broken on a copy to show its check fails.
type Stack = (typeof stackNames)[number];
type Change = Partial<Record<Stack, (json: TerraformJson) => void>>;

function deployment(change: Change = {}): ResourceView[] {
  return stackNames.flatMap((stack) => {
    const json = synthesizedStack(stack);
    change[stack]?.(json);
    return resourcesFromSynth(json);
  });
}

function identity(resources: readonly ResourceView[], name: string): IdentityGrants {
  const found = identityGrants(resources).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no identity ${name} in the deployment`);
  return found;
}

// A Terraform interpolation, as the synthesized JSON writes references.
const ref = (expression: string) => `\${${expression}}`;
const { identities } = pocConfig.github;
const repository = `repo:${pocConfig.github.owner}/${pocConfig.github.repository}`;
const githubTrustFindings = (resources: readonly ResourceView[]) =>
  checkDeploymentPolicies(resources).filter(({ rule }) => rule === 'github-trust');
const addRole = (json: TerraformJson, id: string, values: Record<string, unknown>) => {
  json.resource.azurerm_role_assignment![id] = { principal_type: 'ServicePrincipal', ...values };
};

describe('GitHub identities', () => {
  it('trust the plan identity from pull requests and main, and let it only read', () => {
    const plan = identity(deployment(), identities.plan);
    expect(plan.trustedFrom.map(({ github }) => github).sort()).to.deep.equal([
      'branch',
      'environment',
      'pull_request',
    ]);
    expect(plan.grants.map(({ role, beyondReading }) => ({ role, beyondReading }))).to.have.deep.members([
      { role: 'Reader', beyondReading: [] },
      { role: 'Azure Kubernetes Service Cluster User Role', beyondReading: [] },
      { role: 'Storage Blob Data Reader', beyondReading: [] },
    ]);
    expect(githubTrustFindings(deployment())).to.deep.equal([]);
  });

  it('fail when an identity trusted from pull requests is given a role that writes', () => {
    const found = githubTrustFindings(
      deployment({
        bootstrap: (json) =>
          addRole(json, 'plan_writes_state', {
            scope: ref('azurerm_storage_container.state_tfstate.id'),
            role_definition_name: 'Storage Blob Data Contributor',
            principal_id: ref('azurerm_user_assigned_identity.github_plan.principal_id'),
          }),
      }),
    );
    expect(found.map(({ address }) => address)).to.deep.equal(['azurerm_role_assignment.plan_writes_state']);
    expect(found[0]?.message).to.include('Microsoft.Storage/storageAccounts/blobServices/containers/write');
  });

  it('trust the apply identity from the deployment environment only', () => {
    const apply = identity(deployment(), identities.apply);
    expect(apply.trustedFrom.map(({ subject }) => subject)).to.deep.equal([
      `${repository}:environment:${pocConfig.github.environment}`,
    ]);
    expect(apply.grants.map(({ role }) => role)).to.include('Contributor');
    const alsoFromPullRequests = deployment({
      bootstrap: (json) => {
        const credentials = json.resource.azurerm_federated_identity_credential!;
        credentials.github_apply_pull_request = {
          ...credentials.github_apply_environment,
          name: 'github-pull-request',
          subject: `${repository}:pull_request`,
        };
      },
    });
    expect(githubTrustFindings(alsoFromPullRequests).map(({ address }) => address)).to.deep.equal([
      'azurerm_role_assignment.github_apply_contributor',
      'azurerm_role_assignment.github_apply_role_assignments',
      'azurerm_role_assignment.github_apply_state',
    ]);
  });

  it('never let the apply identity grant roles to the pipelines own identities', () => {
    const condition = String(
      synthesizedStack('bootstrap').resource.azurerm_role_assignment!.github_apply_role_assignments!
        .condition,
    );
    for (const own of ['github_plan', 'github_apply']) {
      expect(condition).to.include(`\${azurerm_user_assigned_identity.${own}.principal_id}`);
    }
    expect(condition).not.to.include('00482a5a-887f-4fb3-b363-3b7fe8e74483'); // Key Vault Administrator
  });

  it('let the apply identity grant every role the platform hands out, so an approved apply never stops at one', () => {
    const condition = (json: TerraformJson) =>
      String(json.resource.azurerm_role_assignment!.github_apply_role_assignments!.condition);
    const ungrantable = (bootstrap: TerraformJson) =>
      Object.entries(synthesizedStack('platform').resource.azurerm_role_assignment!)
        .map(([name, assignment]) => ({ name, role: String(assignment.role_definition_name) }))
        .filter(({ role }) => !condition(bootstrap).includes(builtInRole(role)?.id ?? role))
        .map(({ name, role }) => `${name}: ${role}`);
    expect(ungrantable(synthesizedStack('bootstrap'))).to.deep.equal([]);
    const withoutOpenAi = synthesizedStack('bootstrap');
    const apply = withoutOpenAi.resource.azurerm_role_assignment!.github_apply_role_assignments!;
    apply.condition = condition(withoutOpenAi).replaceAll(', 5e0bd9bd-7b93-4f28-af87-19fc36ad61bd', '');
    expect(ungrantable(withoutOpenAi)).to.deep.equal(['service_openai: Cognitive Services OpenAI User']);
  });

  it('let the image identity push to the registry and do nothing else, from its environment only', () => {
    const pushes = (resources: readonly ResourceView[]) => {
      const image = identity(resources, identities.image);
      return {
        trustedFrom: image.trustedFrom.map(({ subject }) => subject),
        grants: image.grants.map(({ role, scope }) => ({ role, scope })),
      };
    };
    expect(pushes(deployment())).to.deep.equal({
      trustedFrom: [`${repository}:environment:${pocConfig.github.imageEnvironment}`],
      grants: [{ role: 'AcrPush', scope: ref('azurerm_container_registry.registry.id') }],
    });
    const alsoReadsTheLake = deployment({
      platform: (json) =>
        addRole(json, 'image_reads_lake', {
          scope: ref('azurerm_storage_container.lake_lake.id'),
          role_definition_name: 'Storage Blob Data Reader',
          principal_id: ref('data.azurerm_user_assigned_identity.image_publisher.principal_id'),
        }),
    });
    expect(pushes(alsoReadsTheLake).grants).to.have.length(2);
  });
});

describe('the service identities', () => {
  /** What the API identity may do beyond reading, and whether it administers the catalog. */
  function apiWrites(resources: readonly ResourceView[]): string[] {
    const api = identity(resources, pocConfig.service.api.identity);
    const admin = resources
      .filter(({ type }) => type === 'azurerm_postgresql_flexible_server_active_directory_administrator')
      .filter(({ values }) => String(values.object_id).includes(`.${'api_identity'}.`))
      .map(({ address }) => `${address}: catalog administrator`);
    const onStorage = api.grants.filter(({ scope }) =>
      /azurerm_storage_|\/storageAccounts\//i.test(String(scope)),
    );
    return [
      ...onStorage.flatMap(({ address, role, beyondReading }) =>
        beyondReading === null
          ? [`${address}: ${role} (unknown role)`]
          : beyondReading.map((permission) => `${address}: ${permission}`),
      ),
      ...admin,
    ];
  }

  it('give the API pods their own identity, trusted from their ServiceAccount only', () => {
    const { namespace, api, writer } = pocConfig.service;
    expect(api.serviceAccount).not.to.equal(writer.serviceAccount);
    expect(identity(deployment(), api.identity).trustedFrom.map(({ subject }) => subject)).to.deep.equal([
      `system:serviceaccount:${namespace}:${api.serviceAccount}`,
    ]);
  });

  it('let the API identity read the lake, never write it or the catalog', () => {
    const resources = deployment();
    expect(apiWrites(resources)).to.deep.equal([]);
    expect(
      identity(resources, pocConfig.service.api.identity).grants.map(({ role }) => role),
    ).to.have.members(['Storage Blob Data Reader', 'Key Vault Secrets User']);
    const writes = deployment({
      platform: (json) => {
        json.resource.azurerm_role_assignment!.api_lake!.role_definition_name =
          'Storage Blob Data Contributor';
        const admins = json.resource.azurerm_postgresql_flexible_server_active_directory_administrator!;
        admins.catalog_service!.object_id = ref('azurerm_user_assigned_identity.api_identity.principal_id');
      },
    });
    expect(apiWrites(writes)).to.include.members([
      'azurerm_role_assignment.api_lake: Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'azurerm_postgresql_flexible_server_active_directory_administrator.catalog_service: catalog administrator',
    ]);
  });

  it('let the writer keep what ingest needs: the three containers and the catalog', () => {
    const writer = identity(deployment(), pocConfig.service.writer.identity);
    expect(
      writer.grants.filter(({ role }) => role === 'Storage Blob Data Contributor').map(({ scope }) => scope),
    ).to.have.length(3);
  });
});

describe('the language model', () => {
  const account = ref('azurerm_cognitive_account.openai.id');
  /** Every role assignment of the deployment on the account, as `<assignment>: <role> to <identity or principal>`. */
  function onAccount(resources: readonly ResourceView[]): string[] {
    const names = new Map(
      identityGrants(resources).flatMap(({ name, grants }) => grants.map(({ address }) => [address, name])),
    );
    return resources
      .filter(({ type }) => type === 'azurerm_role_assignment')
      .filter(({ values }) => values.scope === account)
      .map(
        ({ address, values }) =>
          `${address}: ${values.role_definition_name} to ${names.get(address) ?? values.principal_id}`,
      );
  }
  const roleFindings = (resources: readonly ResourceView[]) =>
    checkDeploymentPolicies(resources)
      .filter(({ rule }) => rule === 'cognitive-roles')
      .map(({ address }) => address);

  it('is called by the writer identity (ingest CronJobs) alone, with a role on the account alone', () => {
    const resources = deployment();
    expect(onAccount(resources)).to.deep.equal([
      `azurerm_role_assignment.service_openai: Cognitive Services OpenAI User to ${pocConfig.service.writer.identity}`,
    ]);
    expect(roleFindings(resources)).to.deep.equal([]);
    const writer = identity(resources, pocConfig.service.writer.identity);
    expect(writer.trustedFrom.map(({ subject }) => subject)).to.deep.equal([
      `system:serviceaccount:${pocConfig.service.namespace}:${pocConfig.service.writer.serviceAccount}`,
    ]);
    const api = identity(resources, pocConfig.service.api.identity);
    expect(api.grants.filter(({ role }) => role.startsWith('Cognitive Services'))).to.deep.equal([]);
  });

  it('fails when the API, the pipelines or anyone else may call it or manage it, or the writer holds a wider role', () => {
    const found = roleFindings(
      deployment({
        platform: (json) => {
          addRole(json, 'api_openai', {
            scope: account,
            role_definition_name: 'Cognitive Services OpenAI User',
            principal_id: ref('azurerm_user_assigned_identity.api_identity.principal_id'),
          });
          addRole(json, 'image_manages_openai', {
            scope: account,
            role_definition_name: 'Cognitive Services Contributor',
            principal_id: ref('data.azurerm_user_assigned_identity.image_publisher.principal_id'),
          });
          json.resource.azurerm_role_assignment!.service_openai!.scope = ref(
            'data.azurerm_resource_group.odp.id',
          );
        },
        bootstrap: (json) =>
          addRole(json, 'apply_owns_openai', {
            scope:
              '/subscriptions/s/resourceGroups/jkl-open-data-platform/providers/Microsoft.CognitiveServices/accounts/oai-jkl-odp-poc',
            role_definition_name: 'Owner',
            principal_id: ref('azurerm_user_assigned_identity.github_apply.principal_id'),
          }),
      }),
    );
    expect(found).to.have.members([
      'azurerm_role_assignment.api_openai',
      'azurerm_role_assignment.image_manages_openai',
      'azurerm_role_assignment.service_openai',
      'azurerm_role_assignment.apply_owns_openai',
    ]);
  });

  it('is private and keyless: no public network access, no API keys, its own subdomain, a private endpoint in its zone', () => {
    const platform = synthesizedStack('platform');
    const openai = platform.resource.azurerm_cognitive_account!.openai!;
    expect(openai).to.include({
      kind: 'OpenAI',
      public_network_access_enabled: false,
      local_auth_enabled: false,
      custom_subdomain_name: pocConfig.languageModel.account,
    });
    const endpoint = platform.resource.azurerm_private_endpoint!.openai_account! as {
      subnet_id: string;
      private_service_connection: { private_connection_resource_id: string; subresource_names: string[] };
      private_dns_zone_group: { private_dns_zone_ids: string[] };
    };
    expect(endpoint.private_service_connection).to.include({ private_connection_resource_id: account });
    expect(endpoint.private_service_connection.subresource_names).to.deep.equal(['account']);
    expect(endpoint.subnet_id).to.equal(ref('data.azurerm_subnet.subnet_privateEndpoints.id'));
    const zones = (platform as unknown as { data: Record<string, Record<string, { name: string }>> }).data
      .azurerm_private_dns_zone!;
    expect(endpoint.private_dns_zone_group.private_dns_zone_ids).to.deep.equal([
      ref('data.azurerm_private_dns_zone.zone_openai.id'),
    ]);
    expect(zones.zone_openai!.name).to.equal('privatelink.openai.azure.com');
    // The bootstrap stack makes that zone and links it to the virtual network, where the pods resolve it.
    const bootstrap = synthesizedStack('bootstrap');
    expect(bootstrap.resource.azurerm_private_dns_zone!.zone_openai).to.include({
      name: 'privatelink.openai.azure.com',
    });
    expect(bootstrap.resource.azurerm_private_dns_zone_virtual_network_link!.zone_openai_link).to.include({
      private_dns_zone_name: ref('azurerm_private_dns_zone.zone_openai.name'),
      virtual_network_id: ref('azurerm_virtual_network.network.id'),
    });
  });

  it('serves the configured model from a deployment the manifests learn through Flux', () => {
    const deploymentBlock = synthesizedStack('platform').resource.azurerm_cognitive_deployment!.openai_model!;
    const { languageModel } = pocConfig;
    expect(deploymentBlock).to.deep.include({
      name: languageModel.deployment,
      cognitive_account_id: account,
      model: { format: 'OpenAI', name: languageModel.model.name, version: languageModel.model.version },
      sku: { name: languageModel.sku, capacity: languageModel.capacity },
    });
  });
});

describe('Key Vault roles', () => {
  /** Key Vault data roles given to services at a scope wider than one secret or certificate. */
  function vaultWide(resources: readonly ResourceView[]): string[] {
    return resources
      .filter(({ type }) => type === 'azurerm_role_assignment')
      .filter(({ values }) =>
        /^Key Vault (Secrets|Certificate) User$/.test(String(values.role_definition_name)),
      )
      .filter(({ values }) => !/\/(secrets|certificates)\/[A-Za-z0-9-]+$/.test(String(values.scope)))
      .map(({ address }) => address);
  }

  it('reach one secret or certificate each, never the whole vault', () => {
    expect(vaultWide(deployment())).to.deep.equal([]);
    const wide = deployment({
      platform: (json) => {
        json.resource.azurerm_role_assignment!.api_api_keys!.scope = ref('azurerm_key_vault.vault.id');
      },
    });
    expect(vaultWide(wide)).to.deep.equal(['azurerm_role_assignment.api_api_keys']);
  });
});

describe('the runners', () => {
  interface Job {
    identity?: unknown;
    secret?: { name: string }[];
    template: {
      container: { env?: { name: string; secret_name?: string }[]; volume_mounts?: { name: string }[] }[];
      volume?: { name: string; storage_type?: string }[];
    };
  }
  /** What a job step could read: the runner container's secrets, secret volumes, and an attached identity. */
  function reachableBySteps(json: TerraformJson): string[] {
    const job = json.resource.azurerm_container_app_job!.runner_job as unknown as Job;
    const secretVolumes = new Set(
      (job.template.volume ?? []).filter((v) => v.storage_type === 'Secret').map((v) => v.name),
    );
    return [
      ...(job.identity === undefined ? [] : ['a managed identity']),
      ...job.template.container.flatMap((container) => [
        ...(container.env ?? []).filter((e) => e.secret_name).map((e) => `env ${e.name}`),
        ...(container.volume_mounts ?? [])
          .filter((m) => secretVolumes.has(m.name))
          .map((m) => `volume ${m.name}`),
      ]),
    ];
  }

  it('hand no secret and no identity to the container that runs job steps', () => {
    const bootstrap = synthesizedStack('bootstrap');
    expect(reachableBySteps(bootstrap)).to.deep.equal([]);
    const job = bootstrap.resource.azurerm_container_app_job!.runner_job as unknown as Job;
    // The key exists, for the queue scaler and the init container that trades it for a one-job registration.
    expect(job.secret?.map(({ name }) => name)).to.deep.equal(['github-app-key']);
    const leaky = synthesizedStack('bootstrap');
    const leakyJob = leaky.resource.azurerm_container_app_job!.runner_job as unknown as Job;
    leakyJob.template.container[0]!.env!.push({ name: 'GITHUB_TOKEN', secret_name: 'github-app-key' });
    leakyJob.identity = [{ type: 'UserAssigned' }];
    expect(reachableBySteps(leaky)).to.deep.equal(['a managed identity', 'env GITHUB_TOKEN']);
  });

  it('reach the private endpoints and the internet over HTTPS, and nothing else in the network', () => {
    const rules = (json: TerraformJson) =>
      Object.values(json.resource.azurerm_network_security_rule ?? {}).filter(
        (rule) => rule.network_security_group_name === ref('azurerm_network_security_group.nsg_runners.name'),
      );
    const openings = (json: TerraformJson) => {
      const all = rules(json);
      const denyNetwork = all.find(
        (rule) =>
          rule.access === 'Deny' &&
          rule.direction === 'Outbound' &&
          rule.destination_address_prefix === 'VirtualNetwork',
      );
      const denyIn = all.find(
        (rule) =>
          rule.access === 'Deny' && rule.direction === 'Inbound' && rule.source_address_prefix === '*',
      );
      if (!denyNetwork || !denyIn) return ['the network is open'];
      return all
        .filter((rule) => rule.access === 'Allow' && rule.direction === 'Outbound')
        .filter((rule) => Number(rule.priority) < Number(denyNetwork.priority))
        .map((rule) => `${rule.destination_address_prefix}:${rule.destination_port_range}`)
        .sort();
    };
    const { subnets } = pocConfig.network;
    expect(openings(synthesizedStack('bootstrap'))).to.deep.equal(
      [
        `${subnets.privateEndpoints}:443`,
        `${subnets.runners}:*`,
        'AzureActiveDirectory:443',
        'AzureResourceManager:443',
        'MicrosoftContainerRegistry:443',
        'AzureFrontDoor.FirstParty:443',
        'Internet:443',
      ].sort(),
    );
    const open = synthesizedStack('bootstrap');
    delete open.resource.azurerm_network_security_rule!.runners_deny_virtual_network_out;
    expect(openings(open)).to.deep.equal(['the network is open']);
  });
});

describe('the pipelines', () => {
  const workflow = (file: string) =>
    parse(readFileSync(new URL(`../../.github/workflows/${file}`, import.meta.url), 'utf8')) as {
      jobs: Record<string, { with?: { stacks?: string }; strategy?: { matrix?: { stack?: string[] } } }>;
    };
  const stacksOf = (file: string) =>
    Object.values(workflow(file).jobs).flatMap(
      (job) => job.strategy?.matrix?.stack ?? job.with?.stacks?.split(',') ?? [],
    );

  it('plan and apply exactly the stacks whose state their identities may reach', () => {
    const reachable = [...pocConfig.github.pipelineStacks];
    for (const file of ['infra-plan.yml', 'infra-apply.yml', 'drift.yml']) {
      expect(stacksOf(file), file).to.deep.equal(reachable);
    }
    const condition = String(
      synthesizedStack('bootstrap').resource.azurerm_role_assignment!.github_plan_state!.condition,
    );
    expect(condition).to.include(reachable.map((stack) => `'${stack}.tfstate'`).join(', '));
    expect(condition).not.to.include('bootstrap.tfstate');
  });
});

describe('the manifests under apps/', () => {
  const documents = <T>(file: string): T[] =>
    parseAllDocuments(
      readFileSync(new URL(`../../apps/base/lake-service/${file}`, import.meta.url), 'utf8'),
    ).map((document) => document.toJS() as T);

  it('fetch from Key Vault exactly the secrets each identity is granted, with that identity', () => {
    const clientIdVariable = {
      [pocConfig.service.writer.identity]: 'ODP_IDENTITY_CLIENT_ID',
      [pocConfig.service.api.identity]: 'ODP_API_IDENTITY_CLIENT_ID',
    };
    const fetched = Object.fromEntries(
      documents<{ spec: { parameters: { clientID: string; objects: string } } }>(
        'secretproviderclass.yaml',
      ).map((provider) => [
        provider.spec.parameters.clientID,
        (parse(provider.spec.parameters.objects) as { array: string[] }).array
          .map((object) => (parse(object) as { objectName: string }).objectName)
          .sort(),
      ]),
    );
    const resources = deployment();
    for (const [name, variable] of Object.entries(clientIdVariable)) {
      const granted = identity(resources, name)
        .grants.map(({ scope }) => /\/secrets\/([A-Za-z0-9-]+)$/.exec(String(scope))?.[1])
        .filter((secret): secret is string => secret !== undefined)
        .sort();
      expect(fetched[ref(variable)], name).to.deep.equal(granted);
    }
  });

  it('name the ServiceAccounts the identities trust', () => {
    const accounts = documents<{ metadata: { name: string } }>('serviceaccount.yaml').map(
      (account) => account.metadata.name,
    );
    expect(accounts).to.have.members([
      pocConfig.service.writer.serviceAccount,
      pocConfig.service.api.serviceAccount,
    ]);
  });
});
