import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '@odp/service/standins/loopback';
import { MachineLock } from '../../../.ci/machineLock.js';
import { toolPath } from '../../checks/tools.js';
import { Daemon, waitFor } from '../processes.js';
import type { ControlPlane } from './controlPlane.js';
import { cgroupHierarchies, HostState } from './host.js';

const run = promisify(execFile);

/** The controllers the kubelet puts every pod's limits in; without them a pod's limits are not applied. */
const CGROUP_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'];

/** Fails with the cause and its fix when this machine cannot run a kubelet: a node test never skips. */
async function checkMachine(): Promise<void> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0)
    problems.push('the kubelet and containerd need root: run the delivery tests as root (or with sudo)');
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  if (!/\toverlay$/m.test(filesystems))
    problems.push(
      'the kernel has no overlay filesystem, which containerd unpacks images with: `modprobe overlay`',
    );
  if (!existsSync('/proc/sys/kernel/seccomp/actions_avail'))
    problems.push(
      'the kernel has no seccomp filters, which every pod of the restricted level (seccompProfile RuntimeDefault) needs: use a kernel built with CONFIG_SECCOMP_FILTER',
    );
  const hierarchies = await cgroupHierarchies();
  const unified = hierarchies.find(
    (h) => existsSync(path.join(h, 'cgroup.controllers')) && h === '/sys/fs/cgroup',
  );
  const available = unified
    ? (await readFile(path.join(unified, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/)
    : hierarchies.flatMap((h) => path.basename(h).split(','));
  const missing = CGROUP_CONTROLLERS.filter((c) => !available.includes(c) && !(unified && c === 'cpuacct'));
  if (missing.length > 0)
    problems.push(
      `the cgroup controllers ${missing.join(', ')} are not mounted (found: ${available.join(', ') || 'none'}), and the kubelet applies pod limits through them: mount them (cgroup v1: \`mount -t cgroup -o <controller> cgroup /sys/fs/cgroup/<controller>\`) or boot with cgroup v2`,
    );
  await run('iptables', ['-t', 'nat', '-S']).catch((error: { stderr?: string }) =>
    problems.push(
      `iptables does not work here (${error.stderr?.trim()}), and kube-proxy routes Services with it: install iptables and load nf_tables or ip_tables`,
    ),
  );
  if (problems.length > 0)
    throw new Error(`this machine cannot run a real Kubernetes node:\n- ${problems.join('\n- ')}`);
}

/** A /24 for pod addresses that no route of this machine uses yet, so pods never shadow a real network. */
async function freePodSubnet(): Promise<number> {
  const { stdout } = await run('ip', ['-4', 'route', 'show']);
  for (let attempt = 0; attempt < 64; attempt++) {
    const third = 1 + Math.floor(Math.random() * 250);
    if (!stdout.includes(`10.244.${third}.`)) return third;
  }
  throw new Error('no free 10.244.x.0/24 for the pods: every one of them is routed on this machine already');
}

export interface RealNodeOptions {
  /** The sandbox (pause) image, as the node pulls it. */
  sandboxImage: string;
  /** Registry hosts the node pulls from, and where each is served instead (hosts.toml `server`). */
  mirrors: Record<string, string>;
}

/**
 * A real Kubernetes node joined to `plane`: the kubelet with its own containerd (CRI on its own socket, root and
 * state; runc; the CNI bridge plugin on a private /24) and kube-proxy in iptables mode, so Services answer from
 * this machine. Containers really run: images are pulled, probes and the pod's securityContext and limits apply.
 * Everything it changes on the machine is put back by `stop()` (see host.ts).
 */
export class RealNode {
  readonly #daemons: Daemon[] = [];
  readonly #relays: Server[] = [];
  readonly #sockets = new Set<Socket>();
  #host: HostState | undefined;
  #lock: MachineLock | undefined;

  private constructor(
    readonly plane: ControlPlane,
    readonly dir: string,
    readonly name: string,
    /** The host's address on the pods' bridge: what pods reach this machine at. */
    readonly gateway: string,
    readonly podSubnet: string,
    readonly bridge: string,
    readonly cgroupRoot: string,
  ) {}

  get containerdSocket(): string {
    return path.join(this.dir, 'containerd', 'containerd.sock');
  }

  static async start(plane: ControlPlane, dir: string, options: RealNodeOptions): Promise<RealNode> {
    await checkMachine();
    const id = randomBytes(3).toString('hex');
    // One real node per machine: kube-proxy owns the machine's KUBE-SERVICES chain.
    const lock = await MachineLock.acquire(
      path.join(os.tmpdir(), 'odp-real-node.lock'),
      20 * 60_000,
      (owner) => console.log(`      waiting for the real node of process ${owner} to stop`),
      recover,
    );
    let node: RealNode | undefined;
    try {
      const third = await freePodSubnet();
      node = new RealNode(
        plane,
        dir,
        `odp-node-${id}`,
        `10.244.${third}.1`,
        `10.244.${third}.0/24`,
        `odpbr${id}`,
        `/odp-node-${id}`,
      );
      node.#lock = lock;
      await mkdir(dir, { recursive: true });
      node.#host = await HostState.capture({
        folders: [dir],
        cgroupRoot: node.cgroupRoot,
        bridge: node.bridge,
      });
      await node.#record();
      await node.#start(options);
      return node;
    } catch (error) {
      if (node) await node.stop();
      else await lock.release();
      throw error;
    }
  }

  async #start(options: RealNodeOptions): Promise<void> {
    const { dir, plane } = this;
    // The bridge and its gateway address exist before any pod, so the host's relays can listen on it.
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']).catch((error: { stderr?: string }) => {
      throw new Error(
        `the pods' bridge ${this.bridge} cannot be created (${error.stderr?.trim()}): the kernel needs bridge support (\`modprobe bridge\`)`,
      );
    });
    await run('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
    for (const hierarchy of await cgroupHierarchies()) {
      const cgroup = path.join(hierarchy, this.cgroupRoot);
      await mkdir(cgroup, { recursive: true }).catch(() => undefined);
      // A new cpuset (v1) has no CPUs nor memory nodes: it gets the machine's, as the root has them.
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        if (existsSync(path.join(cgroup, file)))
          await writeFile(path.join(cgroup, file), await readFile(path.join(hierarchy, file), 'utf8'));
      }
    }

    const containerd = path.join(dir, 'containerd');
    const cni = path.join(dir, 'cni');
    await mkdir(cni, { recursive: true });
    await writeFile(
      path.join(cni, '10-odp.conflist'),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'odp',
        plugins: [
          {
            type: 'bridge',
            bridge: this.bridge,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: this.podSubnet, gateway: this.gateway }]],
              routes: [{ dst: '0.0.0.0/0' }],
              dataDir: path.join(dir, 'cni-ipam'),
            },
          },
        ],
      }),
    );
    for (const [host, server] of Object.entries(options.mirrors)) {
      const hosts = path.join(containerd, 'certs.d', host);
      await mkdir(hosts, { recursive: true });
      await writeFile(
        path.join(hosts, 'hosts.toml'),
        `server = "${server}"\n\n[host."${server}"]\n  capabilities = ["pull", "resolve"]\n`,
      );
    }
    const cniBin = path.dirname(toolPath('cni-plugins'));
    await writeFile(
      path.join(containerd, 'config.toml'),
      `version = 2
root = "${containerd}/root"
state = "${containerd}/state"
[grpc]
  address = "${this.containerdSocket}"
[ttrpc]
  address = "${this.containerdSocket}.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${containerd}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${options.sandboxImage}"
  stream_server_address = "127.0.0.1"
  # Without it every sandbox fails where the runtime may not lower oom_score_adj (no CAP_SYS_RESOURCE).
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "${toolPath('runc')}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBin}"
    conf_dir = "${cni}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${containerd}/certs.d"
`,
    );
    this.#daemons.push(
      Daemon.start(
        'containerd',
        toolPath('containerd'),
        ['--config', path.join(containerd, 'config.toml')],
        path.join(dir, 'containerd.log'),
      ),
    );
    await this.#record();
    await waitFor(
      () =>
        `containerd to answer on ${this.containerdSocket}; ${this.exited().join('\n') || 'it is running'}`,
      async () => (await this.ctr('version').catch(() => '')).includes('Server:'),
      60_000,
    );

    // The kubelet: its identity, its serving and client TLS, its configuration.
    const [kubeletPort, healthzPort, proxyHealthz, proxyMetrics] = await freePorts(4);
    const kubelet = path.join(dir, 'kubelet');
    await mkdir(kubelet, { recursive: true });
    const kubeletConfig = path.join(dir, 'kubelet.yaml');
    await writeFile(
      kubeletConfig,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${this.gateway}
port: ${kubeletPort}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${healthzPort}
cgroupDriver: cgroupfs
cgroupRoot: ${this.cgroupRoot}
failSwapOn: false
containerRuntimeEndpoint: unix://${this.containerdSocket}
podLogsDir: ${path.join(dir, 'pod-logs')}
volumePluginDir: ${path.join(dir, 'volume-plugins')}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${plane.caFile} }
authorization:
  mode: Webhook
# Nothing is evicted for the disk other tests fill meanwhile.
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
`,
    );
    const nodeKubeconfig = await plane.credentials(`system:node:${this.name}`, ['system:nodes'], 'kubelet');
    this.#daemons.push(
      Daemon.start(
        'kubelet',
        toolPath('kubelet'),
        [
          `--config=${kubeletConfig}`,
          `--kubeconfig=${nodeKubeconfig}`,
          `--root-dir=${kubelet}`,
          `--cert-dir=${path.join(dir, 'kubelet-pki')}`,
          `--hostname-override=${this.name}`,
          // Not 127.0.0.1 (the kubelet refuses a loopback node address): its own address on the pods' bridge.
          `--node-ip=${this.gateway}`,
          '--v=1',
        ],
        path.join(dir, 'kubelet.log'),
      ),
    );
    await this.#record();
    await waitFor(
      () => `the node ${this.name} to be Ready; ${this.exited().join('\n') || 'its daemons are running'}`,
      async () =>
        (await plane.kubectl(
          'get',
          'node',
          this.name,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        )) === 'True',
      120_000,
      500,
    );

    const proxyConfig = path.join(dir, 'kube-proxy.yaml');
    await writeFile(
      proxyConfig,
      `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: ${await plane.credentials('system:kube-proxy', [], 'kube-proxy')} }
hostnameOverride: ${this.name}
clusterCIDR: ${this.podSubnet}
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:${proxyHealthz}
metricsBindAddress: 127.0.0.1:${proxyMetrics}
# The machine's conntrack limits and localhost routing stay as they are.
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
iptables: { localhostNodePorts: false }
`,
    );
    this.#daemons.push(
      Daemon.start(
        'kube-proxy',
        toolPath('kube-proxy'),
        [`--config=${proxyConfig}`],
        path.join(dir, 'kube-proxy.log'),
        { PATH: `${path.dirname(toolPath('conntrack'))}:${process.env.PATH}` },
      ),
    );
    await this.#record();
    await waitFor(
      () => `kube-proxy to sync the Services; ${this.exited().join('\n') || 'it is running'}`,
      async () => (await fetch(`http://127.0.0.1:${proxyHealthz}/healthz`)).ok,
      60_000,
    );
  }

  /**
   * Makes a service of this machine that listens on 127.0.0.1:`port` reachable from the pods, at the node's
   * address on their bridge (`gateway`); resolves with the port pods use there.
   */
  async expose(port: number): Promise<number> {
    const relay = createServer((pod) => {
      const service = connect(port, '127.0.0.1');
      for (const socket of [pod, service]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => (socket === pod ? service : pod).destroy());
      }
      pod.pipe(service).pipe(pod);
    });
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(0, this.gateway, resolve);
    });
    this.#relays.push(relay);
    return (relay.address() as AddressInfo).port;
  }

  /** `ctr` against this node's containerd, in the namespace the kubelet's containers live in. */
  ctr(...args: string[]): Promise<string> {
    return ctr(this.containerdSocket, ...args);
  }

  /** What the runtime knows of a container (`ctr containers info`): its image, its OCI spec. */
  async container(id: string): Promise<{ Image: string; Spec: { process: Record<string, unknown> } }> {
    return JSON.parse(await this.ctr('containers', 'info', id.replace(/^containerd:\/\//, '')));
  }

  /** The host PID of a running container's main process, as the runtime reports it. */
  async pid(id: string): Promise<number> {
    const tasks = await this.ctr('tasks', 'ls');
    const line = tasks.split('\n').find((l) => l.startsWith(id.replace(/^containerd:\/\//, '')));
    if (!line) throw new Error(`container ${id} has no running task:\n${tasks}`);
    return Number(line.split(/\s+/)[1]);
  }

  exited(): string[] {
    return this.#daemons.filter((d) => !d.running).map((d) => d.tail());
  }

  /** What a later run needs to put the machine back should this one be killed before `stop()`. */
  async #record(): Promise<void> {
    if (!this.#lock || !this.#host) return;
    const state: RecordedNode = {
      dir: this.dir,
      socket: this.containerdSocket,
      pids: this.#daemons.map((d) => d.pid).filter((pid): pid is number => pid !== undefined),
      host: this.#host.toJSON(),
    };
    await writeFile(path.join(this.#lock.folder, RECORD), JSON.stringify(state));
  }

  /**
   * Stops every container, the kubelet, kube-proxy and containerd, then puts the machine back. Fails naming
   * whatever could not be restored.
   */
  async stop(): Promise<void> {
    try {
      for (const socket of this.#sockets) socket.destroy();
      for (const relay of this.#relays) await new Promise((resolve) => relay.close(resolve));
      const [containerd, ...others] = this.#daemons;
      for (const daemon of others.reverse()) await daemon.stop();
      if (containerd?.running) await killContainers(this.containerdSocket);
      await containerd?.stop();
      await killShims(this.containerdSocket);
      const left = (await this.#host?.restore()) ?? [];
      if (left.length > 0)
        throw new Error(`the real node left these on the machine after it stopped:\n- ${left.join('\n- ')}`);
      await rm(path.join(this.dir, 'containerd', 'root'), { recursive: true, force: true });
    } finally {
      await this.#lock?.release();
    }
  }
}

/** The file in the machine lock's folder where a running node keeps what `recover` needs. */
const RECORD = 'node.json';

interface RecordedNode {
  dir: string;
  socket: string;
  pids: number[];
  host: unknown;
}

/**
 * Puts the machine back after a node whose run was killed before its `stop()` (the machine lock's owner died):
 * its containers, daemons and shims are killed, and what it changed on the machine is restored.
 */
async function recover(lockFolder: string): Promise<void> {
  const text = await readFile(path.join(lockFolder, RECORD), 'utf8').catch(() => undefined);
  if (!text) return;
  const state = JSON.parse(text) as RecordedNode;
  await killContainers(state.socket).catch(() => undefined);
  for (const pid of state.pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(state.dir)) process.kill(pid, 'SIGKILL');
  }
  await killShims(state.socket);
  const left = await HostState.fromJSON(state.host).restore();
  console.log(
    `      put back what a killed run's node left (${state.dir})${left.length ? `, except:\n- ${left.join('\n- ')}` : ''}`,
  );
  await rm(state.dir, { recursive: true, force: true }).catch(() => undefined);
}

function ctr(socket: string, ...args: string[]): Promise<string> {
  const command = path.join(path.dirname(toolPath('containerd')), 'ctr');
  return run(command, ['--address', socket, '--namespace', 'k8s.io', ...args], {
    maxBuffer: 64 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim());
}

/** Kills every task of a containerd (pods' sandboxes and containers), so their shims exit with them. */
async function killContainers(socket: string): Promise<void> {
  const tasks = (await ctr(socket, 'tasks', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean);
  for (const task of tasks)
    await ctr(socket, 'tasks', 'kill', '--signal', 'SIGKILL', task).catch(() => undefined);
  await waitFor(
    'every container task to stop',
    async () => !/RUNNING|PAUSED|CREATED/.test(await ctr(socket, 'tasks', 'ls').catch(() => '')),
    30_000,
  ).catch(() => undefined);
  for (const task of tasks) await ctr(socket, 'tasks', 'delete', task).catch(() => undefined);
}

/** Shims of a containerd that outlived their tasks (started by it, so named by its socket). */
async function killShims(socket: string): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('containerd-shim') && cmdline.includes(socket)) process.kill(Number(pid), 'SIGKILL');
  }
}
