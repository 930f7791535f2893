import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '@odp/service/standins/loopback';
import { toolPath } from '../../checks/tools.js';
import { Daemon, waitFor } from '../processes.js';

const run = promisify(execFile);

/** Where the nodes of a control plane come from. */
export type Nodes =
  /** kwok keeps one simulated node Ready and reports every pod on it running: no container runs. */
  | 'simulated'
  /** none yet: a kubelet joins (RealNode), with the credentials `credentials()` makes. */
  | 'real';

/**
 * A Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager (Deployments,
 * garbage collection, volume binding) and kube-scheduler, with either kwok and one simulated node (pods are
 * scheduled and reported running and ready, health is simulated) or none, for a real node to join.
 */
export class ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  /** The API server's address, as every kubeconfig of this cluster names it. */
  readonly server: string;
  readonly #daemons: Daemon[];
  /** Resolved once: kubectl runs on every poll. */
  readonly #kubectl = toolPath('kubectl');

  private constructor(dir: string, server: string, daemons: Daemon[]) {
    this.dir = dir;
    this.kubeconfig = path.join(dir, 'kubeconfig');
    this.server = server;
    this.#daemons = daemons;
  }

  /** The certificate authority clients and the kubelet are signed by (and trust the API server's clients by). */
  get caFile(): string {
    return path.join(this.dir, 'pki', 'ca.crt');
  }

  static async start(dir: string, nodes: Nodes): Promise<ControlPlane> {
    const pki = path.join(dir, 'pki');
    await mkdir(pki, { recursive: true });
    const [etcdPort, peerPort, apiPort, managerPort, schedulerPort, kwokPort] = await freePorts(6);
    const daemons: Daemon[] = [];
    const plane = new ControlPlane(dir, `https://127.0.0.1:${apiPort}`, daemons);
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=odp-test-ca',
        '-keyout',
        path.join(pki, 'ca.key'),
        '-out',
        plane.caFile,
      ]);
      // The API server's identity towards kubelets (logs, exec); the kubelet asks the API server what it may do.
      const kubeletClient = await plane.certificate('kube-apiserver-kubelet-client', []);
      daemons.push(
        Daemon.start(
          'etcd',
          toolPath('etcd'),
          [
            '--data-dir',
            path.join(dir, 'etcd'),
            '--listen-client-urls',
            `http://127.0.0.1:${etcdPort}`,
            '--advertise-client-urls',
            `http://127.0.0.1:${etcdPort}`,
            '--listen-peer-urls',
            `http://127.0.0.1:${peerPort}`,
          ],
          path.join(dir, 'etcd.log'),
        ),
      );
      const key = path.join(dir, 'pki', 'service-account.key');
      const pub = path.join(dir, 'pki', 'service-account.pub');
      await run('openssl', ['genrsa', '-out', key, '2048']);
      await run('openssl', ['rsa', '-in', key, '-pubout', '-out', pub]);
      const token = randomBytes(24).toString('hex');
      await writeFile(path.join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
      await writeFile(plane.kubeconfig, kubeconfig(plane.server, { token }));
      daemons.push(
        Daemon.start(
          'kube-apiserver',
          toolPath('kube-apiserver'),
          [
            `--etcd-servers=http://127.0.0.1:${etcdPort}`,
            '--bind-address=127.0.0.1',
            '--advertise-address=127.0.0.1',
            `--secure-port=${apiPort}`,
            `--cert-dir=${path.join(dir, 'pki')}`,
            '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
            `--service-account-key-file=${pub}`,
            `--service-account-signing-key-file=${key}`,
            `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
            `--client-ca-file=${plane.caFile}`,
            `--kubelet-client-certificate=${kubeletClient.cert}`,
            `--kubelet-client-key=${kubeletClient.key}`,
            '--kubelet-preferred-address-types=InternalIP',
            // A kubelet may change only its own node and the pods bound to it.
            '--authorization-mode=Node,RBAC',
            '--service-cluster-ip-range=10.96.0.0/16',
            '--endpoint-reconciler-type=none',
          ],
          path.join(dir, 'kube-apiserver.log'),
        ),
      );
      await waitFor('the API server to be ready', () => plane.ready(), 90_000, 500);
      const kubeconfigFlag = `--kubeconfig=${plane.kubeconfig}`;
      daemons.push(
        Daemon.start(
          'kube-controller-manager',
          toolPath('kube-controller-manager'),
          [
            kubeconfigFlag,
            '--leader-elect=false',
            '--bind-address=127.0.0.1',
            `--secure-port=${managerPort}`,
            `--service-account-private-key-file=${key}`,
            '--use-service-account-credentials=false',
            // A claim is bound within seconds rather than the default 15 s sync.
            '--pvclaimbinder-sync-period=2s',
            '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
          ],
          path.join(dir, 'kube-controller-manager.log'),
        ),
        Daemon.start(
          'kube-scheduler',
          toolPath('kube-scheduler'),
          [
            kubeconfigFlag,
            `--authentication-kubeconfig=${plane.kubeconfig}`,
            `--authorization-kubeconfig=${plane.kubeconfig}`,
            '--leader-elect=false',
            '--bind-address=127.0.0.1',
            `--secure-port=${schedulerPort}`,
            // A pod waiting for its claim to be bound is retried within seconds, not after 5 minutes.
            '--pod-max-in-unschedulable-pods-duration=3s',
          ],
          path.join(dir, 'kube-scheduler.log'),
        ),
      );
      // The API server's client certificate may use every kubelet's API (logs, exec, port-forward).
      await plane.apply(KUBELET_API_ACCESS);
      if (nodes === 'simulated') await plane.startSimulatedNode(kubeconfigFlag, kwokPort!);
      return plane;
    } catch (error) {
      await plane.stop();
      throw error;
    }
  }

  private async startSimulatedNode(kubeconfigFlag: string, kwokPort: number): Promise<void> {
    this.#daemons.push(
      Daemon.start(
        'kwok',
        toolPath('kwok'),
        [
          kubeconfigFlag,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--node-ip=127.0.0.1',
          // Heartbeats through the node's Lease, as a kubelet sends them; without them the node lifecycle
          // controller marks the node, and every pod on it, not ready after a few minutes.
          '--node-lease-duration-seconds=40',
          '--cidr=10.0.0.1/24',
          `--server-address=127.0.0.1:${kwokPort}`,
        ],
        path.join(this.dir, 'kwok.log'),
      ),
    );
    await this.apply(SIMULATED_NODE);
    await waitFor(
      'the simulated node to be Ready',
      async () =>
        (await this.kubectl(
          'get',
          'node',
          'kwok-node-0',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        )) === 'True',
      60_000,
    );
  }

  /** A client certificate for `user` in `groups`, signed by the cluster's certificate authority. */
  async certificate(user: string, groups: string[]): Promise<{ cert: string; key: string }> {
    const pki = path.join(this.dir, 'pki');
    const base = path.join(pki, user.replaceAll(':', '-'));
    const subject = `/CN=${user}${groups.map((group) => `/O=${group}`).join('')}`;
    await run('openssl', [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      this.caFile,
      '-CAkey',
      path.join(pki, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${base}.crt`,
    ]);
    return { cert: `${base}.crt`, key: `${base}.key` };
  }

  /** A kubeconfig file for `user` in `groups` (a client certificate), named after `name`. */
  async credentials(user: string, groups: string[], name: string): Promise<string> {
    const { cert, key } = await this.certificate(user, groups);
    const file = path.join(this.dir, `${name}.kubeconfig`);
    await writeFile(file, kubeconfig(this.server, { 'client-certificate': cert, 'client-key': key }));
    return file;
  }

  /** kubectl against this cluster; resolves with its standard output. */
  async kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run(this.#kubectl, [`--kubeconfig=${this.kubeconfig}`, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`kubectl ${args.join(' ')}: ${error.stderr?.trim() || error.message}`);
    });
    return stdout.trim();
  }

  /** Server-side apply of YAML (a document or several), as the cluster's owner. */
  async apply(yaml: string): Promise<void> {
    const file = path.join(this.dir, `apply-${randomBytes(4).toString('hex')}.yaml`);
    await writeFile(file, yaml);
    await this.kubectl('apply', '--server-side', '--force-conflicts', '-f', file);
  }

  async ready(): Promise<boolean> {
    return (await this.kubectl('get', '--raw', '/readyz').catch(() => '')) === 'ok';
  }

  /** Every daemon that stopped before it was asked to, with its log's path: what to look at when a test fails. */
  exited(): string[] {
    return this.#daemons.filter((d) => !d.running).map((d) => d.tail());
  }

  async stop(): Promise<void> {
    for (const daemon of [...this.#daemons].reverse()) await daemon.stop();
  }
}

function kubeconfig(server: string, user: Record<string, string>): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server}
      insecure-skip-tls-verify: true
users:
  - name: admin
    user:
${Object.entries(user)
  .map(([field, value]) => `      ${field}: ${value}`)
  .join('\n')}
contexts:
  - name: test
    context: { cluster: test, user: admin }
current-context: test
`;
}

const KUBELET_API_ACCESS = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kube-apiserver-kubelet-client
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kubelet-api-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: kube-apiserver-kubelet-client
`;

/** One node that kwok keeps Ready and on which it reports every scheduled pod running (a simulation). */
const SIMULATED_NODE = `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: { cpu: "32", memory: 256Gi, pods: "110" }
  capacity: { cpu: "32", memory: 256Gi, pods: "110" }
`;
