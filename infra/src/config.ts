import { LANGUAGE_MODEL_CALLER, REQUIRED_LOCATION, REQUIRED_RESOURCE_GROUP } from '@odp/policy';

/** Everything that differs between ODP deployments. Tenant-specific ids are Terraform variables instead. */
export interface OdpConfig {
  resourceGroup: string;
  location: string;
  tags: Readonly<Record<string, string>>;
  github: {
    owner: string;
    repository: string;
    /** The GitHub environment (with required reviewers) whose jobs may apply infrastructure. */
    environment: string;
    /** The GitHub environment whose jobs may push images to the registry. */
    imageEnvironment: string;
    branch: string;
    /** The stacks the pipelines plan and apply; the others are an administrator's (see infra/README.md). */
    pipelineStacks: readonly string[];
    /** The identities GitHub Actions signs in as, one per trust level. */
    identities: { plan: string; apply: string; image: string };
  };
  network: {
    name: string;
    addressSpace: string;
    subnets: {
      gateway: string;
      aks: string;
      privateEndpoints: string;
      postgres: string;
      runners: string;
    };
  };
  state: { storageAccount: string; container: string };
  runners: { environment: string; job: string; image: string; maxRunners: number; keyVault: string };
  lake: { storageAccount: string; containers: { lake: string; increments: string; appdata: string } };
  registry: { name: string };
  logAnalytics: { name: string; retentionDays: number };
  aks: {
    name: string;
    kubernetesVersion: string;
    systemPool: NodePool;
    workPool: NodePool;
    serviceCidr: string;
    dnsServiceIp: string;
    podCidr: string;
  };
  service: {
    namespace: string;
    ingressHost: string;
    /** The ingest CronJobs: they write the lake, the increments and the catalog. */
    writer: ServiceRole;
    /** The API pods: they only read. */
    api: ServiceRole;
  };
  postgres: { name: string; version: string; skuName: string; storageMb: number; database: string };
  /** Azure OpenAI, which summarises texts for datasets that ask for it (`kind: summary` enrichments). */
  languageModel: {
    /** The account's name, also its custom subdomain (`<name>.openai.azure.com`), which Entra ID sign-in needs. */
    account: string;
    /** The model deployment the service asks for (its `ODP_LLM_MODEL`). */
    deployment: string;
    model: { name: string; version: string };
    /** Deployment type: `DataZoneStandard` processes requests within the EU data zone only. */
    sku: string;
    /** Rate limit, in thousands of tokens per minute. */
    capacity: number;
  };
  keyVault: {
    name: string;
    /** Secrets the service reads, each granted to the one identity that needs it. */
    secrets: { webhookUrl: string; apiKeys: string };
    /** The certificate the ingress serves. */
    tlsCertificate: string;
  };
  flux: { configuration: string; path: string };
  vpn: { gateway: string; publicIp: string; sku: string; clientAddressPool: string };
}

/** One of the service's workload identities: its user-assigned identity and the ServiceAccount that signs in as it. */
export interface ServiceRole {
  identity: string;
  serviceAccount: string;
}

export interface NodePool {
  name: string;
  vmSize: string;
  minCount: number;
  maxCount: number;
}

/** The proof-of-concept deployment: one subscription, one resource group in Italy North. */
export const pocConfig: OdpConfig = {
  resourceGroup: REQUIRED_RESOURCE_GROUP,
  location: REQUIRED_LOCATION,
  tags: { product: 'odp', environment: 'poc', 'managed-by': 'terraform' },
  github: {
    owner: 'jkl',
    repository: 'open-data-platform',
    environment: 'poc',
    imageEnvironment: 'image',
    branch: 'main',
    pipelineStacks: ['platform', 'vpn'],
    identities: { plan: 'id-odp-github-plan', apply: 'id-odp-github-apply', image: 'id-odp-github-image' },
  },
  network: {
    name: 'vnet-odp-poc',
    addressSpace: '10.40.0.0/16',
    subnets: {
      gateway: '10.40.0.0/27',
      privateEndpoints: '10.40.1.0/24',
      postgres: '10.40.2.0/24',
      runners: '10.40.4.0/23',
      aks: '10.40.16.0/20',
    },
  },
  state: { storageAccount: 'stjklodptfstate', container: 'tfstate' },
  runners: {
    environment: 'cae-odp-runners',
    job: 'caj-odp-github-runner',
    // An ephemeral self-hosted runner image: its init command mints a just-in-time runner configuration
    // (infra/README.md, "Runners"), its main command runs one job with it.
    image: 'ghcr.io/jkl/odp-github-runner:2.329.0',
    maxRunners: 4,
    keyVault: 'kv-jkl-odp-ops',
  },
  lake: {
    storageAccount: 'stjklodplake',
    containers: { lake: 'lake', increments: 'increments', appdata: 'appdata' },
  },
  registry: { name: 'crjklodp' },
  logAnalytics: { name: 'log-odp-poc', retentionDays: 30 },
  aks: {
    name: 'aks-odp-poc',
    kubernetesVersion: '1.34',
    systemPool: { name: 'system', vmSize: 'Standard_D2ads_v5', minCount: 1, maxCount: 3 },
    workPool: { name: 'work', vmSize: 'Standard_D4ads_v5', minCount: 1, maxCount: 3 },
    serviceCidr: '10.41.0.0/16',
    dnsServiceIp: '10.41.0.10',
    podCidr: '10.244.0.0/16',
  },
  // Must match the service's manifests under apps/ (namespace, service accounts, ingress host).
  service: {
    namespace: 'odp',
    ingressHost: 'lake.odp-poc.internal',
    // The policy lets this identity alone call the language model.
    writer: { identity: LANGUAGE_MODEL_CALLER, serviceAccount: 'lake-service' },
    api: { identity: 'id-odp-lake-api', serviceAccount: 'lake-service-api' },
  },
  postgres: {
    name: 'psql-jkl-odp-poc',
    version: '16',
    skuName: 'B_Standard_B1ms',
    storageMb: 32768,
    database: 'ducklake',
  },
  // A small, inexpensive chat model is plenty for summaries; capacity covers ODP_LLM_CONCURRENCY (4) at a time.
  languageModel: {
    account: 'oai-jkl-odp-poc',
    deployment: 'summaries',
    model: { name: 'gpt-4.1-mini', version: '2025-04-14' },
    sku: 'DataZoneStandard',
    capacity: 10,
  },
  // Must match the SecretProviderClasses and the Ingress under apps/base/lake-service.
  keyVault: {
    name: 'kv-jkl-odp-poc',
    secrets: { webhookUrl: 'odp-webhook-url', apiKeys: 'odp-api-keys' },
    tlsCertificate: 'lake-service-tls',
  },
  flux: { configuration: 'poc', path: './clusters/poc' },
  vpn: {
    gateway: 'vgw-odp-poc',
    publicIp: 'pip-vgw-odp-poc',
    sku: 'VpnGw1AZ',
    clientAddressPool: '172.16.201.0/24',
  },
};
