import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@odp/service/standins/loopback';
import { toolPath } from '../../checks/tools.js';
import { Daemon, waitFor } from '../processes.js';
import type { ControlPlane } from './controlPlane.js';

/**
 * What AKS's Flux extension puts into a cluster, here as processes beside the control plane: the controllers'
 * CRDs, source-controller, kustomize-controller (as the extension runs it: every Kustomization applied as the
 * `flux-applier` service account, no cross-namespace references) and notification-controller; plus the CRDs of
 * the other AKS add-ons our manifests use (stand-ins, see aks-crds.yaml).
 */
export class Flux {
  readonly #daemons: Daemon[];

  private constructor(daemons: Daemon[]) {
    this.#daemons = daemons;
  }

  static async start(plane: ControlPlane): Promise<Flux> {
    const controllers = ['source-controller', 'kustomize-controller', 'notification-controller'] as const;
    // Each controller's CRDs, as its module ships them, beside its binary.
    for (const controller of controllers) {
      const crds = path.join(path.dirname(toolPath(controller)), 'crds');
      for (const file of (await readdir(crds)).sort())
        await plane.apply(await readFile(path.join(crds, file), 'utf8'));
    }
    await plane.apply(await readFile(fileURLToPath(new URL('aks-crds.yaml', import.meta.url)), 'utf8'));
    await plane.apply(FLUX_NAMESPACE);
    await waitFor('the Flux CRDs to be established', async () =>
      (
        await plane.kubectl(
          'get',
          'crd',
          '-o',
          'jsonpath={.items[*].status.conditions[?(@.type=="Established")].status}',
        )
      )
        .split(' ')
        .every((s) => s === 'True'),
    );
    const env = { KUBECONFIG: plane.kubeconfig, RUNTIME_NAMESPACE: 'flux-system' };
    const [storage, events, receiver, ...probes] = await freePorts(9);
    // Each controller's metrics and health endpoints, on ports of its own.
    const common = (i: number) => [
      `--metrics-addr=127.0.0.1:${probes[2 * i]}`,
      `--health-addr=127.0.0.1:${probes[2 * i + 1]}`,
      '--enable-leader-election=false',
      '--log-encoding=json',
    ];
    const eventsAddr = `--events-addr=http://127.0.0.1:${events}/`;
    const log = (name: string) => path.join(plane.dir, `${name}.log`);
    const artifacts = path.join(plane.dir, 'source-storage');
    await mkdir(artifacts, { recursive: true });
    const daemons = [
      Daemon.start(
        'notification-controller',
        toolPath('notification-controller'),
        [...common(0), `--events-addr=127.0.0.1:${events}`, `--receiverAddr=127.0.0.1:${receiver}`],
        log('notification-controller'),
        env,
      ),
      Daemon.start(
        'source-controller',
        toolPath('source-controller'),
        [
          ...common(1),
          eventsAddr,
          `--storage-path=${artifacts}`,
          `--storage-addr=127.0.0.1:${storage}`,
          `--storage-adv-addr=127.0.0.1:${storage}`,
        ],
        log('source-controller'),
        env,
      ),
      Daemon.start(
        'kustomize-controller',
        toolPath('kustomize-controller'),
        [
          ...common(2),
          eventsAddr,
          '--no-cross-namespace-refs=true',
          '--default-service-account=flux-applier',
          // A Kustomization whose dependency is still applying the same commit retries after 5 s here (30 s
          // by default), so each commit in the tests costs seconds, not half a minute.
          '--requeue-dependency=5s',
        ],
        log('kustomize-controller'),
        env,
      ),
    ];
    return new Flux(daemons);
  }

  exited(): string[] {
    return this.#daemons.filter((d) => !d.running).map((d) => d.tail());
  }

  async stop(): Promise<void> {
    for (const daemon of this.#daemons) await daemon.stop();
  }
}

/** The namespace and the service account the extension applies Kustomizations as. */
const FLUX_NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: flux-applier
  namespace: flux-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: flux-applier
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: flux-applier
    namespace: flux-system
`;
