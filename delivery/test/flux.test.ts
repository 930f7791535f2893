import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { buildKustomization, type KubernetesObject, objectName } from '../checks/kustomize.js';
import { repositoryRoot } from '../checks/repository.js';
import { placeholder } from '../checks/substitution.js';
import { ControlPlane } from './kube/controlPlane.js';
import { Flux } from './kube/flux.js';
import { GitHubStandIn } from './kube/github.js';
import { GitServer, git } from './kube/gitServer.js';
import { waitFor } from './processes.js';

const run = promisify(execFile);

/** Values shaped like the Terraform outputs the Flux configuration substitutes (infra/src/constructs/Flux.ts). */
const TERRAFORM: Record<string, string> = {
  ODP_IDENTITY_CLIENT_ID: '00000000-0000-4000-8000-000000000001',
  ODP_TENANT_ID: '00000000-0000-4000-8000-000000000002',
  ODP_RESOURCE_GROUP: 'jkl-open-data-platform',
  ODP_STORAGE_ACCOUNT: 'stjklodplake',
  ODP_PG_HOST: 'psql-jkl-odp-poc.postgres.database.azure.com',
  ODP_PG_USER: 'id-odp-lake-service',
  ODP_KEY_VAULT_NAME: 'kv-jkl-odp-poc',
  ODP_REGISTRY: 'crjklodppoc.azurecr.io',
  ODP_INGRESS_HOST: 'odp.poc.internal',
  ODP_POSTGRES_SUBNET_CIDR: '10.40.2.0/24',
  ODP_PRIVATE_ENDPOINT_SUBNET_CIDR: '10.40.3.0/24',
  ODP_GITHUB_REPOSITORY: 'jkl/open-data-platform',
};

/** Not a released image: kwok never pulls it, so any well-formed digest stands for one. */
const DIGEST = `sha256:${'0'.repeat(64)}`;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

describe('Flux reconciles clusters/poc on a real control plane (pods simulated by kwok)', function () {
  this.timeout(240_000);
  let dir: string;
  let work: string;
  let plane: ControlPlane;
  let flux: Flux | undefined;
  let gitServer: GitServer | undefined;
  let github: GitHubStandIn | undefined;

  const kubectl = (...args: string[]) => plane.kubectl(...args);
  const conditions = async (kind: string, name: string, namespace = 'flux-system') =>
    JSON.parse(
      (await kubectl('get', kind, name, '-n', namespace, '-o', 'jsonpath={.status.conditions}')) || '[]',
    ) as Condition[];
  const ready = async (name: string) =>
    (await conditions('kustomization', name)).find((c) => c.type === 'Ready');
  const kustomizationStatus = (name: string, field: string) =>
    kubectl('get', 'kustomization', name, '-n', 'flux-system', '-o', `jsonpath={.status.${field}}`);
  const appliedRevision = (name: string) => kustomizationStatus(name, 'lastAppliedRevision');
  const attemptedRevision = (name: string) => kustomizationStatus(name, 'lastAttemptedRevision');
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
  const head = () => git(work, 'rev-parse', 'HEAD');

  /** What a push and Flux's interval do, without waiting for the interval: fetch the source, apply at once. */
  const reconcile = async () => {
    const now = new Date().toISOString();
    await kubectl(
      'annotate',
      '--overwrite',
      '-n',
      'flux-system',
      'gitrepository/poc',
      `reconcile.fluxcd.io/requestedAt=${now}`,
    );
    for (const name of ['poc-cluster', 'infrastructure', 'apps']) {
      await kubectl(
        'annotate',
        '--overwrite',
        '-n',
        'flux-system',
        `kustomization/${name}`,
        `reconcile.fluxcd.io/requestedAt=${now}`,
      ).catch(() => undefined);
    }
  };
  const push = async (message: string) => {
    await git(work, 'commit', '-qam', message);
    await git(work, 'push', '-q', 'origin', 'main');
    await reconcile();
    return head();
  };
  const lastReady: Record<string, Condition | undefined> = {};
  /** Waits until `name` has applied `revision` and says Ready; a failure names the controllers' state. */
  const appliedAndReady = (name: string, sha: string, timeoutMs = 120_000) =>
    waitFor(
      () =>
        `Kustomization ${name} to apply ${sha.slice(0, 7)} and be Ready; its Ready condition: ${JSON.stringify(lastReady[name])}; stopped early: ${[...plane.exited(), ...(flux?.exited() ?? [])].join('\n') || 'none'}`,
      async () => {
        lastReady[name] = await ready(name);
        return (await appliedRevision(name)).endsWith(sha) && lastReady[name]?.status === 'True';
      },
      timeoutMs,
      500,
    );

  before(async function () {
    this.timeout(600_000);
    dir = await mkdtemp(path.join(os.tmpdir(), 'odp-flux-'));
    plane = await ControlPlane.start(path.join(dir, 'cluster'));
    github = await GitHubStandIn.start();
    // The repository as GitHub would serve it: what clusters/poc reaches (apps/, the dataset definitions).
    work = path.join(dir, 'work');
    for (const part of ['clusters', 'apps', 'service/datasets']) {
      await cp(path.join(repositoryRoot, part), path.join(work, part), { recursive: true });
    }
    await git(work, 'init', '-q', '-b', 'main');
    await git(work, 'add', '-A');
    await git(work, 'commit', '-qm', 'the poc cluster as on main');
    await mkdir(path.join(dir, 'git'));
    await git(path.join(dir, 'git'), 'init', '-q', '--bare', '-b', 'main', 'poc.git');
    await git(work, 'remote', 'add', 'origin', path.join(dir, 'git', 'poc.git'));
    await git(work, 'push', '-q', 'origin', 'main');
    gitServer = await GitServer.start(path.join(dir, 'git'));
    flux = await Flux.start(plane);
    // What Terraform's Flux configuration creates: the GitRepository and the `cluster` Kustomization (the
    // extension prefixes its name with the configuration's), with the values it substitutes.
    await plane.apply(`apiVersion: v1
kind: Secret
metadata: { name: github-commit-status, namespace: flux-system }
stringData: { token: not-a-real-token }
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: poc, namespace: flux-system }
spec:
  url: ${gitServer.url}/poc.git
  ref: { branch: main }
  interval: 1m
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: poc-cluster, namespace: flux-system }
spec:
  sourceRef: { kind: GitRepository, name: poc }
  path: ./clusters/poc
  interval: 2m
  retryInterval: 1m
  timeout: 10m
  prune: true
  force: true
  postBuild:
    substitute:
${Object.entries({ ...TERRAFORM, ODP_GITHUB_URL: github.url })
  .map(([name, value]) => `      ${name}: "${value}"`)
  .join('\n')}
`);
  });

  let failed = false;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });
  after(async () => {
    await flux?.stop();
    await gitServer?.stop();
    await github?.stop();
    await plane?.stop();
    // The controllers' logs are what explains a failure: they stay when a test failed.
    if (failed) console.log(`      cluster logs kept in ${dir}/cluster`);
    else if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes every Kustomization Ready in dependsOn order, with every object of apps/poc substituted server-side', async () => {
    const sha = await head();
    for (const name of ['poc-cluster', 'infrastructure', 'apps']) await appliedAndReady(name, sha, 180_000);
    const infrastructure = new Date((await ready('infrastructure'))!.lastTransitionTime!);
    const apps = new Date((await ready('apps'))!.lastTransitionTime!);
    expect(apps.getTime()).to.be.at.least(infrastructure.getTime());

    const { objects } = await buildKustomization(path.join(work, 'apps/poc'));
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
    const kustomization = path.join(work, 'apps/poc/kustomization.yaml');
    await run(
      'npm',
      ['run', '-s', 'release', '--', '0.2.0', '--digest', DIGEST, '--kustomization', kustomization],
      {
        cwd: repositoryRoot,
      },
    );
    const pushed = Date.now();
    const released = await push('release lake-service 0.2.0');
    await waitFor('the release to roll out', async () => (await image()).includes(':0.2.0@'), 120_000, 200);
    const rolledOutMs = Date.now() - pushed;
    await appliedAndReady('apps', released);
    expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.2.0@${DIGEST}`);

    await git(work, 'revert', '--no-edit', 'HEAD');
    await git(work, 'push', '-q', 'origin', 'main');
    await reconcile();
    const reverted = await head();
    await appliedAndReady('apps', reverted);
    expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.1.0`);
    console.log(`      commit to rollout: ${rolledOutMs} ms (reconcile requested at push)`);
  });

  it('prunes an object removed from apps/base', async () => {
    expect(
      await kubectl('get', 'poddisruptionbudget', 'lake-service-api', '-n', 'odp', '-o', 'name'),
    ).to.include('lake-service-api');
    const base = path.join(work, 'apps/base/lake-service/kustomization.yaml');
    const original = await readFile(base, 'utf8');
    await writeFile(base, original.replace('  - poddisruptionbudget.yaml\n', ''));
    const sha = await push('drop the PodDisruptionBudget');
    await appliedAndReady('apps', sha);
    expect(await kubectl('get', 'poddisruptionbudget', '-n', 'odp', '-o', 'name')).to.equal('');
    await writeFile(base, original);
    await appliedAndReady('apps', await push('restore the PodDisruptionBudget'));
  });

  it('posts each Kustomization’s outcome to GitHub as a commit status on the applied commit', async () => {
    const sha = await head();
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
      const good = await head();
      const file = path.join(work, 'apps/base/lake-service', name);
      const original = await readFile(file, 'utf8');
      expect(breakIt(original), name).to.not.equal(original);
      await writeFile(file, breakIt(original));
      const sha = await push(`break ${name}`);
      await waitFor(
        `apps to report that ${name} is broken`,
        async () =>
          (await attemptedRevision('apps')).endsWith(sha) && (await ready('apps'))?.status === 'False',
        120_000,
        500,
      );
      const message = (await ready('apps'))!.message ?? '';
      expect(message, name).to.match(reason);
      console.log(`      ${name} broken: ${message.replace(/\s+/g, ' ').slice(0, 200)}`);
      expect(await appliedRevision('apps'), name).to.include(good);
      expect(await image()).to.equal(`${TERRAFORM.ODP_REGISTRY}/lake-service:0.1.0`);
      await writeFile(file, original);
      await appliedAndReady('apps', await push(`fix ${name}`));
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
