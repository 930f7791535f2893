import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import type { IAlert, IProvider } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3';
import { loadConfig } from '@odp/service/config';
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { ICronJob } from 'kubernetes-models/batch/v1';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type {
  IConfigMap,
  IContainer,
  IPersistentVolume,
  IPersistentVolumeClaim,
  IService,
  IServiceAccount,
} from 'kubernetes-models/v1';
import type { IIoK8sApiCoreV1PodTemplateSpec as IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { parse, parseAllDocuments } from 'yaml';
import { type DatasetFile, ingestedInCluster, readDatasets } from '../checks/datasets.js';
import { buildKustomization, type KubernetesObject, objectName } from '../checks/kustomize.js';
import { repositoryRoot } from '../checks/repository.js';
import { schemaProblems } from '../checks/schemas.js';
import {
  placeholder,
  SUBSTITUTE_ANNOTATION,
  substitute,
  substitutedVariables,
  substitutedVariablesOf,
} from '../checks/substitution.js';

interface Rendered {
  yaml: string;
  objects: KubernetesObject[];
}

function all<T>(rendered: Rendered, kind: string): (T & KubernetesObject)[] {
  return rendered.objects.filter((object) => object.kind === kind) as (T & KubernetesObject)[];
}

function one<T>(rendered: Rendered, kind: string, name: string): T & KubernetesObject {
  const found = all<T>(rendered, kind).find((object) => object.metadata.name === name);
  if (!found) {
    const names = all(rendered, kind).map((object) => object.metadata.name);
    throw new Error(`no ${kind} named ${name} was rendered (found: ${names.join(', ') || 'none'})`);
  }
  return found;
}

/** Every pod template the lake service runs, named by its workload. */
function podTemplates(rendered: Rendered): [string, IPodTemplateSpec][] {
  return [
    ...all<IDeployment>(rendered, 'Deployment').map((d): [string, IPodTemplateSpec] => [
      objectName(d),
      d.spec!.template,
    ]),
    ...all<ICronJob>(rendered, 'CronJob').map((c): [string, IPodTemplateSpec] => [
      objectName(c),
      c.spec!.jobTemplate.spec!.template,
    ]),
  ];
}

/** What a pod's service container sees: the data of the ConfigMaps it takes, then its env, as Flux substitutes them. */
function environmentOf(
  rendered: Rendered,
  template: IPodTemplateSpec,
  values: Record<string, string>,
): Record<string, string> {
  const container = template.spec!.containers[0]!;
  const fromConfigMaps = (container.envFrom ?? []).flatMap((from) =>
    from.configMapRef?.name
      ? Object.entries(one<IConfigMap>(rendered, 'ConfigMap', from.configMapRef.name).data ?? {})
      : [],
  );
  const env = (container.env ?? []).map((e): [string, string] => [e.name, e.value ?? '']);
  return Object.fromEntries(
    [...fromConfigMaps, ...env].map(([name, value]) => [name, substitute(value, values)]),
  );
}

/** Values shaped like Terraform's outputs for the poc cluster. */
const POC: Record<string, string> = {
  ODP_STORAGE_ACCOUNT: 'stjklodplake',
  ODP_PG_HOST: 'psql-jkl-odp-poc.postgres.database.azure.com',
  ODP_PG_USER: 'id-odp-lake-service',
  ODP_PG_API_USER: 'id-odp-lake-api',
  ODP_OPENAI_ENDPOINT: 'https://oai-jkl-odp-poc.openai.azure.com',
  ODP_OPENAI_DEPLOYMENT: 'summaries',
};

describe('Flux manifests (clusters/poc, apps/poc)', function () {
  this.timeout(120_000);
  let cluster: Rendered;
  let infrastructure: Rendered;
  let apps: Rendered;
  let datasets: DatasetFile[];

  before(async () => {
    [cluster, infrastructure, apps, datasets] = await Promise.all([
      buildKustomization(path.join(repositoryRoot, 'clusters/poc')),
      buildKustomization(path.join(repositoryRoot, 'clusters/poc/infrastructure')),
      buildKustomization(path.join(repositoryRoot, 'apps/poc')),
      readDatasets(),
    ]);
  });

  describe('schemas', () => {
    it('validates every rendered object offline against the Kubernetes 1.34 and Flux schemas', async () => {
      const problems = await schemaProblems([...cluster.objects, ...infrastructure.objects, ...apps.objects]);
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('rejects an unknown field in a built-in object, so a misspelt field cannot pass', async () => {
      const deployment = structuredClone(one<IDeployment>(apps, 'Deployment', 'lake-service-api'));
      (deployment.spec!.template.spec!.containers[0] as unknown as Record<string, unknown>).contanerPort =
        8080;
      const problems = await schemaProblems([deployment]);
      expect(problems.join('\n')).to.match(/contanerPort/);
    });

    it('rejects a Flux Kustomization whose field has the wrong type', async () => {
      const apps = structuredClone(one<IKustomization>(cluster, 'Kustomization', 'apps'));
      (apps.spec as unknown as Record<string, unknown>).prune = 'yes';
      const problems = await schemaProblems([apps]);
      expect(problems.join('\n')).to.match(/Kustomization\/flux-system\/apps: .*prune must be boolean/);
    });
  });

  describe('clusters/poc', () => {
    it('reconciles infrastructure, then apps, each pruned, with timeouts, from the configuration GitRepository', () => {
      const kustomizations = all<IKustomization>(cluster, 'Kustomization');
      expect(kustomizations.map((k) => k.metadata.name)).to.have.members(['infrastructure', 'apps']);
      for (const k of kustomizations) {
        const spec = k.spec!;
        expect(k.metadata.namespace, objectName(k)).to.equal('flux-system');
        // Multi-tenancy (enforced by the AKS extension) refuses a source in another namespace.
        expect(spec.sourceRef, objectName(k)).to.deep.equal({ kind: 'GitRepository', name: 'poc' });
        expect(spec.prune, objectName(k)).to.equal(true);
        expect(spec.timeout, objectName(k)).to.match(/^\d+m$/);
        expect(spec.interval, objectName(k)).to.match(/^\d+m$/);
      }
      const appsSpec = one<IKustomization>(cluster, 'Kustomization', 'apps').spec!;
      expect(appsSpec.dependsOn).to.deep.equal([{ name: 'infrastructure' }]);
      expect(appsSpec.path).to.equal('./apps/poc');
      expect(one<IKustomization>(cluster, 'Kustomization', 'infrastructure').spec!.path).to.equal(
        './clusters/poc/infrastructure',
      );
    });

    it('waits for infrastructure, and health-checks the rendered API Deployment and data volume of apps', () => {
      expect(one<IKustomization>(cluster, 'Kustomization', 'infrastructure').spec!.wait).to.equal(true);
      const appsSpec = one<IKustomization>(cluster, 'Kustomization', 'apps').spec!;
      // Flux ignores healthChecks when wait is true.
      expect(appsSpec.wait).to.equal(false);
      const checks = appsSpec.healthChecks ?? [];
      expect(checks.map((c) => c.kind)).to.include('Deployment');
      for (const check of checks) {
        const target = one(apps, check.kind, check.name);
        expect(target.metadata.namespace, `health check ${check.kind}/${check.name}`).to.equal(
          check.namespace,
        );
        expect(target.apiVersion).to.equal(check.apiVersion);
      }
    });

    it('substitutes every variable the apps use, passing each one on from the Terraform Flux configuration', () => {
      const substitute =
        one<IKustomization>(cluster, 'Kustomization', 'apps').spec!.postBuild?.substitute ?? {};
      const needed = substitutedVariablesOf(apps.objects);
      expect(
        [...needed].filter((name) => !(name in substitute)),
        'used in apps/poc, not substituted',
      ).to.deep.equal([]);
      expect(
        Object.keys(substitute).filter((name) => !needed.has(name)),
        'substituted, never used',
      ).to.deep.equal([]);
      for (const [name, value] of Object.entries(substitute)) expect(value, name).to.equal(placeholder(name));
    });

    it('documents every value Terraform must substitute in apps/README.md', async () => {
      const readme = await readFile(path.join(repositoryRoot, 'apps/README.md'), 'utf8');
      const missing = [...substitutedVariables(cluster.yaml)].filter(
        (name) => !readme.includes(`\`${name}\``),
      );
      expect(missing, 'variables of clusters/poc missing from apps/README.md').to.deep.equal([]);
    });

    it('posts each Kustomization outcome to GitHub as a commit status', () => {
      const provider = one<IProvider>(cluster, 'Provider', 'github-commit-status');
      expect(provider.spec!.type).to.equal('github');
      expect(provider.spec!.address).to.equal(
        `${placeholder('ODP_GITHUB_URL:=https://github.com')}/${placeholder('ODP_GITHUB_REPOSITORY')}`,
      );
      expect(provider.spec!.secretRef?.name).to.be.a('string');
      const alert = one<IAlert>(cluster, 'Alert', 'github-commit-status');
      expect(alert.spec!.providerRef.name).to.equal(provider.metadata.name);
      expect(alert.spec!.eventSources).to.deep.include({ kind: 'Kustomization', name: '*' });
    });

    it('keeps the API on an internal ingress controller that the Ingress uses', () => {
      const controller = one<{
        spec: { ingressClassName: string; loadBalancerAnnotations: Record<string, string> };
      }>(infrastructure, 'NginxIngressController', 'nginx-internal');
      expect(
        controller.spec.loadBalancerAnnotations['service.beta.kubernetes.io/azure-load-balancer-internal'],
      ).to.equal('true');
      expect(one<IIngress>(apps, 'Ingress', 'lake-service').spec!.ingressClassName).to.equal(
        controller.spec.ingressClassName,
      );
    });
  });

  describe('apps/poc: the lake service', () => {
    it('runs exactly the image the overlay names, so the tag and digest in apps/poc/kustomization.yaml are the release', async () => {
      const overlay = parse(
        await readFile(path.join(repositoryRoot, 'apps/poc/kustomization.yaml'), 'utf8'),
      ) as {
        images: { name: string; newName: string; newTag: string; digest?: string }[];
      };
      expect(overlay.images).to.have.length(1);
      const [image] = overlay.images;
      const images = podTemplates(apps).flatMap(([, t]) => t.spec!.containers.map((c) => c.image));
      expect(images.length).to.be.greaterThan(0);
      // A release pins the digest beside the tag (`npm run release -- <tag> --digest <digest>`).
      const digest = image!.digest ? `@${image!.digest}` : '';
      for (const used of images) expect(used).to.equal(`${image!.newName}:${image!.newTag}${digest}`);
    });

    it('serves with at least two API replicas that do not ingest, kept by an HPA and a PDB', () => {
      const api = one<IDeployment>(apps, 'Deployment', 'lake-service-api');
      expect(api.spec!.replicas).to.be.at.least(2);
      const env = api.spec!.template.spec!.containers[0]!.env ?? [];
      expect(env).to.deep.include({ name: 'ODP_SCHEDULER', value: 'false' });
      const hpa = one<IHorizontalPodAutoscaler>(apps, 'HorizontalPodAutoscaler', 'lake-service-api');
      expect(hpa.spec!.scaleTargetRef).to.include({ kind: 'Deployment', name: 'lake-service-api' });
      expect(hpa.spec!.minReplicas).to.be.at.least(2);
      const pdb = one<IPodDisruptionBudget>(apps, 'PodDisruptionBudget', 'lake-service-api');
      const podLabels = api.spec!.template.metadata!.labels!;
      expect(podLabels).to.include(pdb.spec!.selector!.matchLabels!);
    });

    it('gives Node only flags it accepts from NODE_OPTIONS, so no pod fails at its first line', () => {
      const options = podTemplates(apps).flatMap(([workload, template]) =>
        template.spec!.containers.flatMap((c) =>
          (c.env ?? [])
            .filter((e) => e.name === 'NODE_OPTIONS')
            .map((e) => [workload, e.value ?? ''] as const),
        ),
      );
      expect(options.length, 'the API pods size V8 themselves').to.be.greaterThan(0);
      for (const [workload, value] of options) {
        const started = spawnSync(process.execPath, ['-e', ''], {
          env: { ...process.env, NODE_OPTIONS: value },
          encoding: 'utf8',
        });
        expect(started.stderr, `${workload}: NODE_OPTIONS=${value}`).to.equal('');
        expect(started.status, `${workload}: NODE_OPTIONS=${value}`).to.equal(0);
      }
    });

    it("caps V8's young generation of the API pods at 24 MB, as the README promises", () => {
      const api = one<IDeployment>(apps, 'Deployment', 'lake-service-api');
      const options =
        api.spec!.template.spec!.containers[0]!.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      // V8 reserves its heap as the old generation plus the young one, and sizes the young generation from the
      // semi-space cap alone (3 semi-spaces on Node 24): with the old generation fixed on the command line
      // (which NODE_OPTIONS cannot override), what is left of heap_size_limit is the young generation.
      const oldSpaceMB = 256;
      const youngMB = (extra: string[] = []) => {
        const started = spawnSync(
          process.execPath,
          [
            `--max-old-space-size=${oldSpaceMB}`,
            ...extra,
            '-p',
            "require('v8').getHeapStatistics().heap_size_limit",
          ],
          { env: { ...process.env, NODE_OPTIONS: options }, encoding: 'utf8' },
        );
        expect(started.status, started.stderr).to.equal(0);
        return Number(started.stdout) / 2 ** 20 - oldSpaceMB;
      };
      const capped = youngMB();
      expect(capped, `young generation with NODE_OPTIONS=${options}`).to.be.greaterThan(0).and.at.most(24);
      // The measure follows the semi-space cap: raised, the reservation grows.
      expect(youngMB(['--max-semi-space-size=16']), 'with semi-spaces of 16 MB').to.be.greaterThan(capped);
    });

    it('routes the Service and the TLS Ingress to the API pods only, never to ingest pods', () => {
      const service = one<IService>(apps, 'Service', 'lake-service');
      const api = one<IDeployment>(apps, 'Deployment', 'lake-service-api');
      expect(api.spec!.template.metadata!.labels).to.include(service.spec!.selector!);
      for (const cronJob of all<ICronJob>(apps, 'CronJob')) {
        expect(cronJob.spec!.jobTemplate.spec!.template.metadata!.labels, objectName(cronJob)).not.to.include(
          service.spec!.selector!,
        );
      }
      const ingress = one<IIngress>(apps, 'Ingress', 'lake-service');
      const rule = ingress.spec!.rules![0]!;
      expect(ingress.spec!.tls![0]!.hosts).to.include(rule.host);
      const backend = rule.http!.paths[0]!.backend.service!;
      expect(backend.name).to.equal(service.metadata.name);
      expect(service.spec!.ports!.map((p) => p.name)).to.include(backend.port!.name);
    });

    it('ingests each dataset in service/datasets with a live source on the network with its own CronJob, on its schedule, never overlapping', () => {
      const cronJobs = all<ICronJob>(apps, 'CronJob');
      const ingested = datasets.filter(ingestedInCluster);
      expect(cronJobs.map((c) => c.metadata.name)).to.have.members(
        ingested.map((d) => `lake-service-ingest-${d.name}`),
      );
      for (const dataset of ingested) {
        const cronJob = one<ICronJob>(apps, 'CronJob', `lake-service-ingest-${dataset.name}`);
        expect(cronJob.spec!.schedule, dataset.file).to.equal(dataset.schedule);
        expect(cronJob.spec!.concurrencyPolicy, dataset.file).to.equal('Forbid');
        const container = cronJob.spec!.jobTemplate.spec!.template.spec!.containers[0]!;
        expect(container.args?.slice(-2), dataset.file).to.deep.equal(['ingest', dataset.name]);
        expect(cronJob.spec!.jobTemplate.spec!.template.spec!.restartPolicy).to.equal('Never');
      }
    });

    it('ships the dataset definitions in a ConfigMap identical to service/datasets, mounted where ODP_DATASETS points', () => {
      const configMap = all<IConfigMap>(apps, 'ConfigMap').find((c) =>
        c.metadata.name.startsWith('lake-service-datasets'),
      );
      expect(configMap, 'the datasets ConfigMap').to.not.equal(undefined);
      expect(Object.keys(configMap!.data ?? {})).to.have.members(datasets.map((d) => d.file));
      for (const dataset of datasets)
        expect(configMap!.data![dataset.file], dataset.file).to.equal(dataset.text);
      expect(
        configMap!.metadata.annotations?.[SUBSTITUTE_ANNOTATION],
        'Flux leaves the definitions alone',
      ).to.equal('disabled');
      const config = all<IConfigMap>(apps, 'ConfigMap').find((c) =>
        c.metadata.name.startsWith('lake-service-config'),
      );
      const datasetsDir = config!.data!.ODP_DATASETS;
      for (const [workload, template] of podTemplates(apps)) {
        const volume = template.spec!.volumes!.find((v) => v.configMap?.name === configMap!.metadata.name);
        const mount = template.spec!.containers[0]!.volumeMounts!.find((m) => m.name === volume?.name);
        expect(mount?.mountPath, `${workload} mounts the datasets at ODP_DATASETS`).to.equal(datasetsDir);
      }
    });

    it('runs every pod at the restricted pod security level with requests, limits and writable /data and /tmp only', () => {
      const namespace = one<{ metadata: { labels: Record<string, string> } }>(apps, 'Namespace', 'odp');
      expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).to.equal('restricted');
      for (const [workload, template] of podTemplates(apps)) {
        const pod = template.spec!;
        expect(pod.securityContext?.runAsNonRoot, workload).to.equal(true);
        expect(pod.securityContext?.seccompProfile?.type, workload).to.equal('RuntimeDefault');
        for (const container of pod.containers) {
          const where = `${workload} container ${container.name}`;
          expect(container.securityContext?.allowPrivilegeEscalation, where).to.equal(false);
          expect(container.securityContext?.readOnlyRootFilesystem, where).to.equal(true);
          expect(container.securityContext?.capabilities?.drop, where).to.deep.equal(['ALL']);
          expect(container.resources?.requests, where).to.include.keys('cpu', 'memory');
          expect(container.resources?.limits, where).to.include.keys('memory');
          const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => m.mountPath);
          expect(writable, where).to.have.members(['/data', '/tmp']);
        }
      }
    });

    it('gives every pod an environment the service accepts once Flux has substituted the Terraform values', () => {
      for (const [workload, template] of podTemplates(apps)) {
        const service = loadConfig(environmentOf(apps, template, POC));
        if (workload.startsWith('Deployment'))
          expect(service.scheduler, `${workload} runs no schedules`).to.equal(false);
        expect(service.dataDir, workload).to.equal('/data');
      }
    });

    it('lets only the ingest CronJobs call the language model: Azure OpenAI, as the writer identity, with no key', () => {
      const callers = podTemplates(apps).flatMap(([workload, template]) => {
        const model = loadConfig(environmentOf(apps, template, POC)).languageModel;
        if (!model) return [];
        expect(model, workload).to.deep.include({
          url: `${POC.ODP_OPENAI_ENDPOINT}/openai/v1`,
          model: POC.ODP_OPENAI_DEPLOYMENT,
          auth: { kind: 'entra' },
        });
        // The one ServiceAccount whose identity Terraform grants Cognitive Services OpenAI User.
        expect(template.spec!.serviceAccountName, workload).to.equal('lake-service');
        return [workload];
      });
      expect(callers).to.have.members(all<ICronJob>(apps, 'CronJob').map((cronJob) => objectName(cronJob)));
    });

    it('probes the API: startup and liveness on /healthz, readiness on /readyz', () => {
      const container = one<IDeployment>(apps, 'Deployment', 'lake-service-api').spec!.template.spec!
        .containers[0]!;
      expect(container.startupProbe?.httpGet?.path).to.equal('/healthz');
      expect(container.livenessProbe?.httpGet?.path).to.equal('/healthz');
      expect(container.readinessProbe?.httpGet?.path).to.equal('/readyz');
    });

    it('gives every pod the workload identity of its trust level: annotated ServiceAccount, labelled pods', () => {
      const clientIds = {
        'lake-service': 'ODP_IDENTITY_CLIENT_ID',
        'lake-service-api': 'ODP_API_IDENTITY_CLIENT_ID',
      };
      for (const [name, variable] of Object.entries(clientIds)) {
        const account = one<IServiceAccount>(apps, 'ServiceAccount', name);
        expect(account.metadata!.annotations!['azure.workload.identity/client-id'], name).to.equal(
          placeholder(variable),
        );
      }
      for (const [workload, template] of podTemplates(apps)) {
        // The API only reads; the ingest CronJobs write.
        const expected = workload.startsWith('Deployment') ? 'lake-service-api' : 'lake-service';
        expect(template.spec!.serviceAccountName, workload).to.equal(expected);
        expect(template.metadata!.labels!['azure.workload.identity/use'], workload).to.equal('true');
      }
    });

    it('mounts /data from the Terraform-created blob container with the workload-identity token, never a key', () => {
      const volume = one<IPersistentVolume>(apps, 'PersistentVolume', 'lake-service-data');
      const csi = volume.spec!.csi!;
      expect(csi.driver).to.equal('blob.csi.azure.com');
      expect(csi.nodeStageSecretRef, 'a key Secret').to.equal(undefined);
      const attributes = csi.volumeAttributes!;
      // clientID alone makes the driver fetch the account key; the token mode is what keeps it keyless.
      expect(attributes.mountWithWorkloadIdentityToken).to.equal('true');
      expect(attributes.clientID).to.equal(placeholder('ODP_IDENTITY_CLIENT_ID'));
      expect(Object.keys(attributes).filter((key) => /secret|key|sas/i.test(key))).to.deep.equal([]);
      expect(volume.spec!.persistentVolumeReclaimPolicy).to.equal('Retain');
      const claim = one<IPersistentVolumeClaim>(apps, 'PersistentVolumeClaim', 'lake-service-data');
      expect(claim.spec!.volumeName).to.equal(volume.metadata.name);
      expect(volume.spec!.claimRef).to.include({
        name: claim.metadata.name,
        namespace: claim.metadata.namespace,
      });
    });

    it('takes secrets from Key Vault through the Secrets Store CSI driver with the workload identity of each pod', () => {
      type Provider = {
        metadata: { name: string };
        spec: { provider: string; parameters: Record<string, string> };
      };
      const providers = all<Provider>(apps, 'SecretProviderClass');
      for (const provider of providers) {
        expect(provider.spec.provider).to.equal('azure');
        expect(provider.spec.parameters).to.include({
          usePodIdentity: 'false',
          keyvaultName: placeholder('ODP_KEY_VAULT_NAME'),
          tenantId: placeholder('ODP_TENANT_ID'),
        });
        const objects = parse(provider.spec.parameters.objects!) as { array: string[] };
        expect(objects.array.map((o) => (parse(o) as { objectType: string }).objectType)).to.include(
          'secret',
        );
      }
      for (const [workload, template] of podTemplates(apps)) {
        const account = one<IServiceAccount>(apps, 'ServiceAccount', template.spec!.serviceAccountName!);
        const mounted = template.spec!.volumes!.filter((v) => v.csi?.driver === 'secrets-store.csi.k8s.io');
        expect(mounted, workload).to.have.length(1);
        const provider = providers.find(
          (p) => p.metadata.name === mounted[0]!.csi!.volumeAttributes?.secretProviderClass,
        );
        expect(provider?.spec.parameters.clientID, workload).to.equal(
          account.metadata!.annotations!['azure.workload.identity/client-id'],
        );
      }
      expect(all(apps, 'Secret'), 'Secrets committed to Git').to.deep.equal([]);
    });

    it('denies all traffic by default and allows only the API port in, and DNS, PostgreSQL and HTTPS out', () => {
      const policies = all<INetworkPolicy>(apps, 'NetworkPolicy');
      const deny = policies.find(
        (p) => Object.keys(p.spec!.podSelector ?? {}).length === 0 && !p.spec!.ingress && !p.spec!.egress,
      );
      expect(deny?.spec?.policyTypes, 'a default-deny policy').to.have.members(['Ingress', 'Egress']);
      const ingress = policies.flatMap((p) => p.spec!.ingress ?? []);
      expect(ingress.flatMap((rule) => rule.ports ?? []).map((port) => port.port)).to.deep.equal(['http']);
      const egressPorts = policies.flatMap((p) => p.spec!.egress ?? []).flatMap((rule) => rule.ports ?? []);
      expect(egressPorts.map((port) => port.port)).to.have.members([53, 53, 5432, 443, 443]);
    });
  });
});

/** Values shaped like what a person's Flux configuration substitutes for clusters/local (apps/README.md). */
const LOCAL: Record<string, string> = {
  ODP_REGISTRY: 'localhost:5000',
  ODP_LOCAL_HOST: '172.18.0.1',
  ODP_LOCAL_PG_PORT: '5432',
  ODP_LOCAL_PG_USER: 'odp',
  ODP_LOCAL_AZURITE_PORT: '10000',
  ODP_GITHUB_REPOSITORY: 'jkl/open-data-platform',
};

/** The objects as Flux applies them, substituted. */
function substituted(rendered: Rendered, values: Record<string, string>): Rendered {
  const yaml = substitute(rendered.yaml, values);
  return { yaml, objects: parseAllDocuments(yaml).map((d) => d.toJS() as KubernetesObject) };
}

describe('Flux manifests of a cluster of your own (clusters/local, apps/local)', function () {
  this.timeout(120_000);
  let poc: Rendered;
  let cluster: Rendered;
  let apps: Rendered;

  before(async () => {
    [poc, cluster, apps] = await Promise.all([
      buildKustomization(path.join(repositoryRoot, 'apps/poc')),
      buildKustomization(path.join(repositoryRoot, 'clusters/local')),
      buildKustomization(path.join(repositoryRoot, 'apps/local')),
    ]);
  });

  it('validates every object, substituted, offline against the Kubernetes 1.34 and Flux schemas', async () => {
    const objects = [...substituted(cluster, LOCAL).objects, ...substituted(apps, LOCAL).objects];
    expect(objects.map((o) => JSON.stringify(o)).join('\n')).to.not.include('not set>');
    const problems = await schemaProblems(objects);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('takes every value from the ConfigMap odp-local, documented in apps/README.md, and health-checks the API', async () => {
    const kustomization = one<IKustomization>(cluster, 'Kustomization', 'apps');
    expect(kustomization.spec!.path).to.equal('./apps/local');
    expect(kustomization.spec!.postBuild?.substituteFrom).to.deep.equal([
      { kind: 'ConfigMap', name: 'odp-local' },
    ]);
    expect(kustomization.spec!.healthChecks).to.deep.include({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'lake-service-api',
      namespace: 'odp',
    });
    const readme = await readFile(path.join(repositoryRoot, 'apps/README.md'), 'utf8');
    const local = readme.slice(readme.indexOf('### Run the GitOps loop locally'));
    const used = new Set([
      ...substitutedVariablesOf(apps.objects),
      ...substitutedVariablesOf(cluster.objects),
    ]);
    expect(
      [...used].filter((v) => !local.includes(v)),
      'variables missing from apps/README.md',
    ).to.deep.equal([]);
    expect(Object.keys(LOCAL).sort()).to.deep.equal(
      [...used].filter((v) => !v.startsWith('ODP_HEALTH') && v !== 'ODP_GITHUB_URL').sort(),
    );
  });

  it('runs the pods of apps/poc, differing only in what AKS alone provides', () => {
    // Generated ConfigMaps are named after their content, which differs where the overlays' settings do.
    const names = (r: Rendered) => r.objects.map((o) => objectName(o).replace(/-[a-z0-9]{10}$/, '')).sort();
    const aksOnly = names(poc).filter((n) => !names(apps).includes(n));
    expect(aksOnly).to.have.members([
      'PersistentVolume/lake-service-data',
      'PersistentVolumeClaim/odp/lake-service-data',
      'SecretProviderClass/odp/lake-service-secrets',
      'SecretProviderClass/odp/lake-service-api-secrets',
      'Ingress/odp/lake-service',
    ]);
    expect(
      names(apps).filter((n) => !names(poc).includes(n)),
      'objects only apps/local has',
    ).to.deep.equal([]);
    const local = new Map(podTemplates(apps));
    for (const [workload, template] of podTemplates(poc)) {
      const here = local.get(workload)!.spec!;
      // The service's own container, its probes, limits, securityContext and env, exactly as on AKS (its
      // settings' ConfigMaps are named after their content, which differs where the overlays' settings do), but for
      // how it signs in to the catalog: every pod here as the settings' role with the Secret's password, where
      // the API signs in on AKS as its own role with its Entra token.
      const unnamed = (containers: unknown) =>
        JSON.parse(
          JSON.stringify(containers).replace(/(lake-service-(config|language-model))-[a-z0-9]{10}/g, '$1'),
        );
      const signIn = (containers: IContainer[]) =>
        containers.map((c) => ({
          ...c,
          env: c.env?.filter((e) => e.name !== 'ODP_CATALOG'),
          envFrom: c.envFrom?.filter((from) => from.secretRef?.name !== 'lake-service-secrets'),
        }));
      expect(unnamed(signIn(here.containers)), workload).to.deep.equal(
        unnamed(signIn(template.spec!.containers)),
      );
      const service = here.containers[0]!;
      expect(
        service.env?.map((e) => e.name),
        workload,
      ).to.not.include('ODP_CATALOG');
      expect(
        service.envFrom?.map((from) => from.secretRef?.name),
        workload,
      ).to.include('lake-service-secrets');
      expect(here.securityContext, workload).to.deep.equal(template.spec!.securityContext);
      expect(here.serviceAccountName, workload).to.equal(template.spec!.serviceAccountName);
      // Volumes differ only where AKS's CSI drivers were: /data (Blob) and /mnt/secrets (Key Vault).
      const others = (volumes: { name: string }[] | undefined) =>
        (volumes ?? []).filter((v) => v.name !== 'data' && v.name !== 'secrets');
      expect(others(here.volumes), workload).to.deep.equal(others(template.spec!.volumes));
      expect(here.volumes!.find((v) => v.name === 'secrets')?.secret?.secretName).to.equal(
        'lake-service-api-keys',
      );
      expect(here.volumes!.find((v) => v.name === 'data')?.emptyDir, workload).to.not.equal(undefined);
      // And one sidecar, Azurite on the pod's loopback, as hardened as the service.
      expect(
        here.initContainers?.map((c) => c.name),
        workload,
      ).to.deep.equal(['azurite-loopback']);
      const sidecar = here.initContainers![0]!;
      expect(sidecar.restartPolicy).to.equal('Always');
      expect(sidecar.securityContext).to.deep.equal(template.spec!.containers[0]!.securityContext);
    }
  });

  it('gives every pod an environment the service accepts: PostgreSQL and Azurite of the host, bundled sources, no language model', () => {
    for (const [workload, template] of podTemplates(apps)) {
      const service = loadConfig({ ...environmentOf(apps, template, LOCAL), PGPASSWORD: 'from-the-secret' });
      expect(service.catalog, workload).to.deep.include({ kind: 'postgres', auth: 'libpq' });
      expect(service.dataPath, workload).to.deep.include({ kind: 'azure' });
      expect(service.increments, workload).to.deep.include({ kind: 'azure' });
      expect(service.sources, workload).to.equal('bundled');
      expect(service.languageModel, `${workload}: no Azure OpenAI here`).to.equal(undefined);
    }
  });
});
