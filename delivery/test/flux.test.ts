import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { buildKustomization, type KubernetesObject, objectName } from '../checks/kustomize.js';
import { placeholder } from '../checks/substitution.js';
import { ControlPlane } from './kube/controlPlane.js';
import { Flux } from './kube/flux.js';
import { GitHubStandIn } from './kube/github.js';
import { GitOps } from './kube/gitops.js';
import { TestFolder } from './kube/testFolder.js';
import { waitFor } from './processes.js';

/** Values shaped like the Terraform outputs the Flux configuration substitutes (infra/src/constructs/Flux.ts). */
const TERRAFORM: Record<string, string> = {
  ODP_IDENTITY_CLIENT_ID: '00000000-0000-4000-8000-000000000001',
  ODP_API_IDENTITY_CLIENT_ID: '00000000-0000-4000-8000-000000000003',
  ODP_TENANT_ID: '00000000-0000-4000-8000-000000000002',
  ODP_RESOURCE_GROUP: 'jkl-open-data-platform',
  ODP_STORAGE_ACCOUNT: 'stjklodplake',
  ODP_PG_HOST: 'psql-jkl-odp-poc.postgres.database.azure.com',
  ODP_PG_USER: 'id-odp-lake-service',
  ODP_PG_API_USER: 'id-odp-lake-api',
  ODP_KEY_VAULT_NAME: 'kv-jkl-odp-poc',
  ODP_REGISTRY: 'crjklodppoc.azurecr.io',
  ODP_INGRESS_HOST: 'odp.poc.internal',
  ODP_POSTGRES_SUBNET_CIDR: '10.40.2.0/24',
  ODP_PRIVATE_ENDPOINT_SUBNET_CIDR: '10.40.3.0/24',
  ODP_OPENAI_ENDPOINT: 'https://oai-jkl-odp-poc.openai.azure.com',
  ODP_OPENAI_DEPLOYMENT: 'summaries',
  ODP_GITHUB_REPOSITORY: 'jkl/open-data-platform',
};

/** Not a released image: kwok never pulls it, so any well-formed digest stands for one. */
const DIGEST = `sha256:${'0'.repeat(64)}`;

// clusters/poc's pods need what only AKS runs (the Blob CSI and Key Vault CSI drivers, workload identity), so
// no real node could start them: their node is simulated. node.test.ts runs clusters/local on a real one.
describe('Flux reconciles clusters/poc on a real control plane (pods simulated by kwok)', function () {
  this.timeout(240_000);
  const dir = new TestFolder('odp-flux-');
  let plane: ControlPlane;
  let flux: Flux | undefined;
  let gitops: GitOps;
  let github: GitHubStandIn | undefined;

  const kubectl = (...args: string[]) => plane.kubectl(...args);
  const image = () =>
    kubectl(
      'get',
      'deployment',
      'lake-service-api',
      '-n',
      'odp',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    );

  before(async function () {
    this.timeout(600_000);
    await dir.create();
    plane = await ControlPlane.start(path.join(dir.path, 'cluster'), 'simulated');
    github = await GitHubStandIn.start();
    flux = await Flux.start(plane);
    // The repository as GitHub would serve it: what clusters/poc reaches (apps/, the dataset definitions).
    gitops = await GitOps.start(plane, flux, dir.path, {
      cluster: 'poc',
      paths: ['clusters', 'apps', 'service/datasets'],
      substitute: { inline: { ...TERRAFORM, ODP_GITHUB_URL: github.url } },
    });
  });

  after(async () => {
    await flux?.stop();
    await gitops?.stop();
    await github?.stop();
    await plane?.stop();
    await dir.close('cluster logs');
  });

  it('makes every Kustomization Ready in dependsOn order, with every object of apps/poc substituted server-side', async () => {
    const sha = await gitops.head();
    for (const name of ['poc-cluster', 'infrastructure', 'apps'])
      await gitops.appliedAndReady(name, sha, 180_000);
    const infrastructure = new Date((await gitops.ready('infrastructure'))!.lastTransitionTime!);
    const apps = new Date((await gitops.ready('apps'))!.lastTransitionTime!);
    expect(apps.getTime()).to.be.at.least(infrastructure.getTime());

    const { objects } = await buildKustomization(path.join(gitops.work, 'apps/poc'));
    expect(objects.length).to.be.greaterThan(10);
    for (const object of objects) {
      const live = await liveObject(object);
      expect(live, `${objectName(object)} is not in the cluster`).to.not.equal(undefined);
      expect(live, `${objectName(object)} still has a \${…} placeholder`).to.not.include('${');
    }
    const account = JSON.parse(
      await kubectl('get', 'serviceaccount', 'lake-service', '-n', 'odp', '-o', 'json'),
    );
    expect(account.metadata.annotations['azure.workload.identity/client-id']).to.equal(
      TERRAFORM.ODP_IDENTITY_CLIENT_ID,
    );
    expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.1.0`);
    const rollout = JSON.parse(
      await kubectl('get', 'deployment', 'lake-service-api', '-n', 'odp', '-o', 'json'),
    );
    expect(rollout.status.readyReplicas).to.equal(rollout.spec.replicas);
  });

  it('rolls the Deployment to a tag released in Git, and back when the release is reverted', async () => {
    await gitops.release('poc', '0.2.0', DIGEST);
    const pushed = Date.now();
    const released = await gitops.pushed();
    await waitFor('the release to roll out', async () => (await image()).includes(':0.2.0@'), 120_000, 200);
    const rolledOutMs = Date.now() - pushed;
    await gitops.appliedAndReady('apps', released);
    expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.2.0@${DIGEST}`);

    await gitops.appliedAndReady('apps', await gitops.revert());
    expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.1.0`);
    console.log(`      commit to rollout: ${rolledOutMs} ms (reconcile requested at push)`);
  });

  it('prunes an object removed from apps/base', async () => {
    expect(
      await kubectl('get', 'poddisruptionbudget', 'lake-service-api', '-n', 'odp', '-o', 'name'),
    ).to.include('lake-service-api');
    const base = path.join(gitops.work, 'apps/base/lake-service/kustomization.yaml');
    const original = await readFile(base, 'utf8');
    await writeFile(base, original.replace('  - poddisruptionbudget.yaml\n', ''));
    const sha = await gitops.push('drop the PodDisruptionBudget');
    await gitops.appliedAndReady('apps', sha);
    expect(await kubectl('get', 'poddisruptionbudget', '-n', 'odp', '-o', 'name')).to.equal('');
    await writeFile(base, original);
    await gitops.appliedAndReady('apps', await gitops.push('restore the PodDisruptionBudget'));
  });

  it('posts each Kustomization’s outcome to GitHub as a commit status on the applied commit', async () => {
    const sha = await gitops.head();
    await waitFor(
      'commit statuses for the applied commit',
      async () => github!.statuses.filter((s) => s.sha === sha && s.state === 'success').length >= 3,
      60_000,
    );
    const posted = github!.statuses.filter((s) => s.sha === sha);
    expect(new Set(posted.map((s) => s.repository))).to.deep.equal(
      new Set([TERRAFORM.ODP_GITHUB_REPOSITORY]),
    );
    // Flux names each status `kustomization/<name>/<provider uid prefix>`.
    expect(posted.map((s) => s.context.split('/').slice(0, 2).join('/'))).to.include.members([
      'kustomization/poc-cluster',
      'kustomization/infrastructure',
      'kustomization/apps',
    ]);
  });

  it('keeps the previous revision running when a commit breaks a manifest, and says why', async () => {
    const broken: [file: string, breakIt: (text: string) => string, reason: RegExp][] = [
      [
        'deployment.yaml',
        (text) => text.replace(/replicas: \d+/, 'replicas: two'),
        /replicas|integer|int32/i,
      ],
      [
        'ingress.yaml',
        (text) => text.replace(placeholder('ODP_INGRESS_HOST'), placeholder('ODP_INGRESS_HOST').slice(0, -1)),
        /substitut|variable|closing/i,
      ],
    ];
    for (const [name, breakIt, reason] of broken) {
      const good = await gitops.head();
      const file = path.join(gitops.work, 'apps/base/lake-service', name);
      const original = await readFile(file, 'utf8');
      expect(breakIt(original), name).to.not.equal(original);
      await writeFile(file, breakIt(original));
      const sha = await gitops.push(`break ${name}`);
      const message = (await gitops.failed('apps', sha, 120_000)).message ?? '';
      expect(message, name).to.match(reason);
      console.log(`      ${name} broken: ${message.replace(/\s+/g, ' ').slice(0, 200)}`);
      expect(await gitops.appliedRevision('apps'), name).to.include(good);
      expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.1.0`);
      await writeFile(file, original);
      await gitops.appliedAndReady('apps', await gitops.push(`fix ${name}`));
    }
  });

  /** The object as the API server has it, as JSON text; undefined when it is not there. */
  async function liveObject(object: KubernetesObject): Promise<string | undefined> {
    const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
    const args = ['get', `${object.kind}${group}`, object.metadata.name, '-o', 'json'];
    if (object.metadata.namespace) args.push('-n', object.metadata.namespace);
    return kubectl(...args).catch(() => undefined);
  }
});
