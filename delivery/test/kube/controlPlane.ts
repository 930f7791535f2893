import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '@odp/service/standins/loopback';
import { toolPath } from '../../checks/tools.js';
import { Daemon, waitFor } from '../processes.js';

const run = promisify(execFile);

/**
 * A Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager (Deployments,
 * garbage collection, volume binding) and kube-scheduler, plus kwok with one simulated node, so pods are
 * scheduled and reported running and ready without a kubelet. No container runs: health is simulated.
 */
export class ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly #daemons: Daemon[];

  private constructor(dir: string, kubeconfig: string, daemons: Daemon[]) {
    this.dir = dir;
    this.kubeconfig = kubeconfig;
    this.#daemons = daemons;
  }

  static async start(dir: string): Promise<ControlPlane> {
    await mkdir(path.join(dir, 'pki'), { recursive: true });
    const [etcdPort, peerPort, apiPort, managerPort, schedulerPort, kwokPort] = await freePorts(6);
    const daemons: Daemon[] = [];
    const plane = new ControlPlane(dir, path.join(dir, 'kubeconfig'), daemons);
    try {
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
      await writeFile(plane.kubeconfig, kubeconfig(`https://127.0.0.1:${apiPort}`, token));
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
            '--authorization-mode=RBAC',
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
          path.join(dir, 'kwok.log'),
        ),
      );
      await plane.apply(SIMULATED_NODE);
      await waitFor(
        'the simulated node to be Ready',
        async () =>
          (await plane.kubectl(
            'get',
            'node',
            'kwok-node-0',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          )) === 'True',
        60_000,
      );
      return plane;
    } catch (error) {
      await plane.stop();
      throw error;
    }
  }

  /** kubectl against this cluster; resolves with its standard output. */
  async kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run(toolPath('kubectl'), [`--kubeconfig=${this.kubeconfig}`, ...args], {
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

function kubeconfig(server: string, token: string): string {
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
      token: ${token}
contexts:
  - name: test
    context: { cluster: test, user: admin }
current-context: test
`;
}

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
