import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { ScaleOut } from '@odp/service/standins/scaleOut';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { repositoryRoot } from '../checks/repository.js';
import { toolPath } from '../checks/tools.js';
import { type DockerEngine, startEngine } from './engine.js';
import { ControlPlane } from './kube/controlPlane.js';
import { Flux } from './kube/flux.js';
import { GitHubStandIn } from './kube/github.js';
import { GitOps } from './kube/gitops.js';
import { git } from './kube/gitServer.js';
import { buildAndPush, removeImages } from './kube/images.js';
import { RealNode } from './kube/node.js';
import { LocalRegistry } from './kube/registry.js';
import { TestFolder } from './kube/testFolder.js';
import { waitFor } from './processes.js';

const run = promisify(execFile);

/** The production registry's name, which the manifests keep: the node pulls it from the local registry. */
const REGISTRY = 'crjklodppoc.azurecr.io';
/** The sandbox image the node's runtime asks for, as a cluster's runtime does. */
const PAUSE = 'registry.k8s.io/pause:3.10';
/** The apps Kustomization's health-check timeout here: long enough for a rollout on a loaded 2-core machine. */
const HEALTH_TIMEOUT_S = 90;
const GITHUB_REPOSITORY = 'jkl/open-data-platform';

interface ContainerStatus {
  name: string;
  ready: boolean;
  imageID: string;
  containerID?: string;
  state: Record<string, { reason?: string } | undefined>;
}

interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string; image: string }[] };
  status: {
    podIP?: string;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

describe('A release reaches a running pod: clusters/local on a real node (kubelet, containerd, kube-proxy)', function () {
  this.timeout(300_000);
  const dir = new TestFolder('odp-node-');
  let engine: DockerEngine | undefined;
  let registry: LocalRegistry | undefined;
  let plane: ControlPlane | undefined;
  let node: RealNode | undefined;
  let stack: ScaleOut | undefined;
  let github: GitHubStandIn | undefined;
  let flux: Flux | undefined;
  let gitops: GitOps;
  let apiKey: string;
  /** What the first release rolled out: its tag and the digest the registry stored it under. */
  const released: { tag: string; digest: string }[] = [];

  const kubectl = (...args: string[]) => plane!.kubectl(...args);
  const repository = () => `${registry!.host}/lake-service`;

  /** Builds the service's image from the working copy as image-publish does, pushes it under the commit's SHA. */
  const publish = async (work: string) => {
    const tag = await git(work, 'rev-parse', 'HEAD');
    const started = Date.now();
    const digest = await buildAndPush(engine!, {
      context: work,
      dockerfile: 'service/Dockerfile',
      image: `${repository()}:${tag}`,
    });
    console.log(
      `      image ${tag.slice(0, 7)} built and pushed in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    return { tag, digest };
  };
  const apiPods = async (): Promise<Pod[]> =>
    (
      JSON.parse(
        await kubectl('get', 'pods', '-n', 'odp', '-l', 'app.kubernetes.io/component=api', '-o', 'json'),
      ) as { items: Pod[] }
    ).items.filter((pod) => !pod.metadata.deletionTimestamp);
  const serviceUrl = async () =>
    `http://${await kubectl('get', 'service', 'lake-service', '-n', 'odp', '-o', 'jsonpath={.spec.clusterIP}')}`;
  /** The pods the Service routes to now, by their addresses in its EndpointSlices. */
  const routedPods = async (): Promise<Pod[]> => {
    const slices = JSON.parse(
      await kubectl(
        'get',
        'endpointslices',
        '-n',
        'odp',
        '-l',
        'kubernetes.io/service-name=lake-service',
        '-o',
        'json',
      ),
    ) as { items: { endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }[] };
    const ready = new Set(
      slices.items.flatMap((s) =>
        (s.endpoints ?? []).filter((e) => e.conditions.ready).flatMap((e) => e.addresses),
      ),
    );
    return (await apiPods()).filter((pod) => pod.status.podIP && ready.has(pod.status.podIP));
  };
  const serviceContainer = (pod: Pod) =>
    pod.status.containerStatuses!.find((c) => c.name === 'lake-service')!;
  /** Waits until every API pod is ready and runs `digest`, as the runtime reports it (the pod's imageID). */
  const runningOnly = (digest: string) =>
    waitFor(
      `only pods of ${digest} to serve`,
      async () => {
        const pods = await routedPods();
        const all = await apiPods();
        return (
          pods.length === 2 &&
          all.length === 2 &&
          all.every((pod) => serviceContainer(pod)?.imageID.endsWith(`@${digest}`))
        );
      },
      60_000,
      500,
    );
  const statusFor = (sha: string, state: string) =>
    waitFor(
      `a ${state} commit status of kustomization/apps on ${sha.slice(0, 7)}; posted: ${JSON.stringify(github!.statuses.filter((s) => s.sha === sha))}`,
      async () =>
        github!.statuses.some(
          (s) => s.sha === sha && s.state === state && s.context.startsWith('kustomization/apps/'),
        ),
      60_000,
    );

  before(async function () {
    this.timeout(1_800_000);
    await dir.create();
    engine = await startEngine();
    registry = await LocalRegistry.start(path.join(dir.path, 'registry'));
    // The sandbox image every pod's namespaces are held by, built from .ci/kube/build/pause.
    await writeFile(
      path.join(dir.path, 'Dockerfile.pause'),
      'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
    );
    await run('cp', [toolPath('pause'), path.join(dir.path, 'pause')]);
    await buildAndPush(engine, {
      context: dir.path,
      dockerfile: 'Dockerfile.pause',
      image: `${registry.host}/pause:3.10`,
    });

    plane = await ControlPlane.start(path.join(dir.path, 'cluster'), 'real');
    node = await RealNode.start(plane, path.join(dir.path, 'node'), {
      sandboxImage: PAUSE,
      mirrors: { 'registry.k8s.io': registry.url, [REGISTRY]: registry.url },
    });
    // PostgreSQL and Azurite on this machine (on AKS: Azure Database for PostgreSQL and Azure Storage), reached by
    // the pods at the node's address on their bridge.
    stack = await ScaleOut.start();
    const pgPort = await node.expose(stack.postgres.port);
    const azuritePort = await node.expose(stack.azurite.port);
    // What a person puts into the cluster once (apps/README.md): the catalog's password and the API keys file.
    const keys = path.join(dir.path, 'api-keys.json');
    const created = await run(
      'npm',
      ['run', '-s', 'odp', '-w', 'service', '--', 'keys', 'create', '--name', 'node-test', '--scope', 'read'],
      {
        cwd: repositoryRoot,
        env: { ...process.env, ODP_API_KEYS_FILE: keys, ODP_LOG_LEVEL: 'silent' },
      },
    );
    apiKey = created.stdout.trim().split('\n')[0]!;
    await kubectl('create', 'namespace', 'odp');
    await kubectl(
      'create',
      'secret',
      'generic',
      'lake-service-secrets',
      '-n',
      'odp',
      `--from-literal=PGPASSWORD=${stack.rolePassword}`,
    );
    await kubectl(
      'create',
      'secret',
      'generic',
      'lake-service-api-keys',
      '-n',
      'odp',
      `--from-file=api-keys.json=${keys}`,
    );

    github = await GitHubStandIn.start();
    flux = await Flux.start(plane);
    gitops = await GitOps.start(plane, flux, dir.path, {
      cluster: 'local',
      // What the image is built from and what Flux reads: the repository as on main.
      paths: [
        'clusters',
        'apps',
        'service',
        'package.json',
        'package-lock.json',
        'tsconfig.base.json',
        '.dockerignore',
        '*/package.json',
        'actions/*/package.json',
      ],
      // The ConfigMap odp-local a person creates once (apps/README.md).
      substitute: {
        configMap: {
          ODP_REGISTRY: REGISTRY,
          ODP_LOCAL_HOST: node.gateway,
          ODP_LOCAL_PG_PORT: String(pgPort),
          ODP_LOCAL_PG_USER: ScaleOut.role,
          ODP_LOCAL_AZURITE_PORT: String(azuritePort),
          ODP_HEALTH_TIMEOUT: `${HEALTH_TIMEOUT_S}s`,
          ODP_GITHUB_REPOSITORY: GITHUB_REPOSITORY,
          ODP_GITHUB_URL: github.url,
        },
      },
      // The first image, published and released before Flux first reads the repository.
      prepare: async (work) => {
        const image = await publish(work);
        await GitOps.release(work, 'local', image.tag, image.digest);
        released.push(image);
      },
    });
    // The ingest schedules (every 5 minutes for earthquakes) would race the test's own run for the dataset's
    // writer lease: they are paused as soon as Flux has applied them. Flux sets no `suspend`, and takes fields
    // over only from kubectl's own field managers, so under a field manager of its own the pause holds.
    await waitFor(
      'the ingest CronJobs to be applied',
      async () => (await kubectl('get', 'cronjobs', '-n', 'odp', '-o', 'name')).includes('earthquakes'),
      300_000,
      1_000,
    );
    for (const name of (await kubectl('get', 'cronjobs', '-n', 'odp', '-o', 'name')).split('\n'))
      await kubectl(
        'patch',
        name,
        '-n',
        'odp',
        '--type=merge',
        '--field-manager=odp-node-test',
        '-p',
        '{"spec":{"suspend":true}}',
      );
    await kubectl('delete', 'jobs', '-n', 'odp', '--all', '--wait=false');
  });

  after(async () => {
    await flux?.stop();
    await gitops?.stop();
    await github?.stop();
    await node?.stop().catch((error: Error) => console.log(`      ${error.message}`));
    await plane?.stop();
    await stack?.stop();
    if (engine && registry)
      await removeImages(engine, registry.host).catch((error: Error) =>
        console.log(`      ${error.message}`),
      );
    await registry?.stop();
    await engine?.stop();
    await dir.close('cluster and node logs');
  });

  it('runs the released image by its digest, as the runtime reports, under the restricted securityContext', async () => {
    const [first] = released;
    await gitops.appliedAndReady('apps', await gitops.head(), 300_000);
    await runningOnly(first!.digest);
    for (const pod of await apiPods()) {
      const container = serviceContainer(pod);
      expect(pod.spec.containers[0]!.image).to.equal(
        `${REGISTRY}/lake-service:${first!.tag}@${first!.digest}`,
      );
      // containerd's own record of the container: the image it was created from, by digest.
      const info = await node!.container(container.containerID!);
      expect(info.Image).to.equal(`${REGISTRY}/lake-service@${first!.digest}`);
      // The process as the kernel runs it.
      const pid = await node!.pid(container.containerID!);
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)![1]!.trim();
      expect(field('Uid').split(/\s+/), `${pod.metadata.name} uid`).to.deep.equal([
        '10001',
        '10001',
        '10001',
        '10001',
      ]);
      expect(field('Gid').split(/\s+/)[0]).to.equal('10001');
      expect(field('CapEff'), 'effective capabilities').to.equal('0000000000000000');
      expect(field('CapBnd'), 'bounding capabilities').to.equal('0000000000000000');
      expect(field('NoNewPrivs')).to.equal('1');
      expect(field('Seccomp'), 'seccomp filter mode').to.equal('2');
      const root = (await readFile(`/proc/${pid}/mountinfo`, 'utf8'))
        .split('\n')
        .find((l) => l.split(' ')[4] === '/');
      expect(root!.split(' ')[5]!.split(','), 'root filesystem mount options').to.include('ro');
      const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
      expect(environ).to.include('NODE_OPTIONS=--max-semi-space-size=8');
      // The memory limit, from the process's own memory cgroup.
      const cgroups = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
      const v1 = cgroups.find((l) => l.split(':')[1]?.split(',').includes('memory'));
      const limitFile = v1
        ? path.join('/sys/fs/cgroup/memory', v1.split(':')[2]!, 'memory.limit_in_bytes')
        : path.join('/sys/fs/cgroup', cgroups.find((l) => l.startsWith('0::'))!.slice(3), 'memory.max');
      expect(Number((await readFile(limitFile, 'utf8')).trim()), 'memory limit').to.equal(2 * 2 ** 30);
    }
    const response = await fetch(`${await serviceUrl()}/readyz`);
    expect(response.status, 'the API through its Service').to.equal(200);
  });

  it('releases a new image by commit: pushed, released by digest, and the Service answers from it', async () => {
    // A change to the service (its console's title), committed, published and released as image-publish does.
    const title = `ODP console (${Date.now().toString(36)})`;
    const page = path.join(gitops.work, 'service/console/index.html');
    await writeFile(
      page,
      (await readFile(page, 'utf8')).replace(/<title>[^<]*<\/title>/, `<title>${title}</title>`),
    );
    await gitops.push('Console: a title of its own');
    const image = await publish(gitops.work);
    await gitops.release('local', image.tag, image.digest);
    const pushed = Date.now();
    const sha = await gitops.pushed();
    await gitops.appliedAndReady('apps', sha, 300_000);
    await runningOnly(image.digest);
    const serving = Date.now() - pushed;
    const served = await (await fetch(`${await serviceUrl()}/`)).text();
    expect(served, 'the page the Service serves').to.include(`<title>${title}</title>`);
    await statusFor(sha, 'success');
    released.push(image);
    console.log(
      `      release commit to the new image serving through the Service: ${(serving / 1000).toFixed(0)} s`,
    );
  });

  it('fails a release that cannot become healthy with a failure status while the previous pods answer every request, and a revert brings success back', async function () {
    this.timeout(900_000);
    const good = released.at(-1)!;
    const url = await serviceUrl();
    // An image that exits at once, and a tag the registry does not have.
    const exits = await buildAndPush(engine!, {
      context: dir.path,
      dockerfile: await dockerfile(
        'Dockerfile.exits',
        `FROM ${repository()}:${good.tag}\nCMD ["node", "-e", "process.exit(3)"]\n`,
      ),
      image: `${repository()}:exits-${good.tag}`,
    });
    const bad: [name: string, tag: string, digest: string, reason: RegExp][] = [
      ['an image that exits', `exits-${good.tag}`, exits, /CrashLoopBackOff|Error/],
      [
        'a tag missing from the registry',
        `missing-${good.tag}`,
        `sha256:${'e'.repeat(64)}`,
        /ErrImagePull|ImagePullBackOff/,
      ],
    ];
    for (const [name, tag, digest, reason] of bad) {
      // Requests through the Service all along: every one must be answered.
      let answered = 0;
      let slowest = 0;
      const failures: string[] = [];
      let polling = true;
      // The pods reach the host's PostgreSQL through this process's relay (RealNode.expose): a stall of its event
      // loop would stall their catalog queries, so the longest one is reported with the answers.
      const loop = monitorEventLoopDelay({ resolution: 20 });
      loop.enable();
      const poller = (async () => {
        while (polling) {
          const sent = Date.now();
          const at = new Date(sent).toISOString();
          await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
            (r) => (r.ok ? answered++ : failures.push(`${at}: HTTP ${r.status}`)),
            (error: Error) => failures.push(`${at}: ${error.message}`),
          );
          slowest = Math.max(slowest, Date.now() - sent);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
      try {
        await gitops.release('local', tag, digest);
        const started = Date.now(); // the release commit is in Git from here
        const sha = await gitops.pushed();
        // The new pod never becomes ready, for the reason a person would look for (the sidecar, which runs the
        // same image, is the first to wait for a missing one).
        await waitFor(
          `the ${name} pod to fail with ${reason}`,
          async () =>
            (await apiPods()).some((pod) =>
              [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])].some(
                (c) => !c.ready && reason.test(c.state.waiting?.reason ?? ''),
              ),
            ),
          120_000,
          500,
        );
        const condition = await gitops.failed('apps', sha, (HEALTH_TIMEOUT_S + 120) * 1_000);
        expect(condition.reason, name).to.equal('HealthCheckFailed');
        expect(condition.message, name).to.match(/lake-service-api/);
        await statusFor(sha, 'failure');
        expect((await routedPods()).map((pod) => serviceContainer(pod).imageID)).to.satisfy(
          (ids: string[]) => ids.length === 2 && ids.every((id) => id.endsWith(`@${good.digest}`)),
        );
        console.log(`      ${name}: ${condition.message?.replace(/\s+/g, ' ').slice(0, 160)}`);
        console.log(`      ${name}: failure status ${seconds(started)} after the release commit`);

        const revertedAt = Date.now();
        const reverted = await gitops.revert();
        await gitops.appliedAndReady('apps', reverted, 300_000);
        await runningOnly(good.digest);
        await statusFor(reverted, 'success');
        console.log(`      ${name}: success status ${seconds(revertedAt)} after the revert`);
      } finally {
        polling = false;
        await poller;
        loop.disable();
      }
      const delay = `this process's longest event-loop delay ${Math.round(loop.max / 1e6)} ms`;
      expect(
        failures,
        `${name}: requests through the Service that failed (of ${answered + failures.length}; ${delay})`,
      ).to.deep.equal([]);
      expect(answered, name).to.be.greaterThan(50);
      console.log(
        `      ${name}: ${answered} requests through the Service meanwhile, every one answered (slowest ${slowest} ms; ${delay})`,
      );
    }
  });

  it('runs an ingest CronJob once for real, and the API serves the records it stored', async () => {
    await kubectl(
      'create',
      'job',
      'ingest-earthquakes-now',
      '-n',
      'odp',
      '--from=cronjob/lake-service-ingest-earthquakes',
    );
    let pods = '';
    let failure: string | undefined;
    await waitFor(
      () => `the ingest Job to complete; its pods: ${pods}`,
      async () => {
        pods = await kubectl(
          'get',
          'pods',
          '-n',
          'odp',
          '-l',
          'job-name=ingest-earthquakes-now',
          '-o',
          'wide',
        );
        const conditions = JSON.parse(
          (await kubectl(
            'get',
            'job',
            'ingest-earthquakes-now',
            '-n',
            'odp',
            '-o',
            'jsonpath={.status.conditions}',
          )) || '[]',
        ) as { type: string; status: string }[];
        if (conditions.some((c) => c.type === 'Failed' && c.status === 'True'))
          failure = await kubectl('logs', '-n', 'odp', 'job/ingest-earthquakes-now', '-c', 'lake-service');
        return failure !== undefined || conditions.some((c) => c.type === 'Complete' && c.status === 'True');
      },
      240_000,
      1_000,
    );
    expect(failure, 'the ingest Job failed; its log').to.equal(undefined);
    // The run the Job made, as its log names it, then as the API reports it through the Service.
    const log = await kubectl('logs', '-n', 'odp', 'job/ingest-earthquakes-now', '-c', 'lake-service');
    const ran = /earthquakes run (\S+): succeeded — (\d+) received, (\d+) inserted/.exec(log);
    expect(ran, `the Job's log:\n${log}`).to.not.equal(null);
    const [, runId, received, inserted] = ran!;
    expect(Number(inserted)).to.be.greaterThan(0);
    const url = await serviceUrl();
    const headers = { Authorization: `Bearer ${apiKey}` };
    const served = await fetch(`${url}/v1/runs/${runId}`, { headers });
    expect(served.status).to.equal(200);
    expect(await served.json()).to.deep.include({
      run_id: runId,
      dataset: 'earthquakes',
      status: 'succeeded',
      received: Number(received),
      inserted: Number(inserted),
    });
    const dataset = (await (await fetch(`${url}/v1/datasets/earthquakes`, { headers })).json()) as {
      rows: number;
    };
    expect(dataset.rows).to.equal(Number(inserted));
    const records = await fetch(`${url}/v1/datasets/earthquakes/records?limit=5`, { headers });
    expect(records.status).to.equal(200);
    expect(((await records.json()) as { data: unknown[] }).data).to.have.length(5);
  });

  it('stops, leaving the machine as it found it: sysctls, iptables, mounts, cgroups, network namespaces', async () => {
    await flux?.stop();
    const stopping = node!;
    node = undefined;
    await stopping.stop();
  });

  async function dockerfile(name: string, text: string): Promise<string> {
    await writeFile(path.join(dir.path, name), text);
    return name;
  }
});
