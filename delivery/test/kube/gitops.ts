import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../checks/repository.js';
import { waitFor } from '../processes.js';
import type { ControlPlane } from './controlPlane.js';
import type { Flux } from './flux.js';
import { GitServer, git } from './gitServer.js';

const run = promisify(execFile);

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface GitOpsOptions {
  /** The folder under clusters/ the cluster reconciles, and the name of its GitRepository. */
  cluster: string;
  /** What of this repository is committed to the test's Git server (files and folders, as Git tracks them). */
  paths: string[];
  /**
   * The values the Flux configuration substitutes: inline, as Terraform's AKS configuration passes them, or from
   * a ConfigMap `odp-<cluster>` in flux-system, as a person's own cluster keeps them (clusters/local).
   */
  substitute: { inline: Record<string, string> } | { configMap: Record<string, string> };
  /** Runs in the working copy after its first commit, before Flux first reads it (it may commit). */
  prepare?: (work: string) => Promise<void>;
}

const yamlMap = (values: Record<string, string>, indent: string) =>
  Object.entries(values)
    .map(([name, value]) => `${indent}${name}: "${value}"`)
    .join('\n');

/** The root Kustomization's postBuild, and the ConfigMap it substitutes from where it does. */
function postBuild({ cluster, substitute }: GitOpsOptions): string {
  if ('inline' in substitute)
    return `  postBuild:\n    substitute:\n${yamlMap(substitute.inline, '      ')}\n`;
  return `  postBuild:
    substituteFrom:
      - { kind: ConfigMap, name: odp-${cluster} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: odp-${cluster}, namespace: flux-system }
data:
${yamlMap(substitute.configMap, '  ')}
`;
}

/**
 * The GitOps loop of one cluster: a copy of this repository committed to a Git server on 127.0.0.1, and what a
 * Flux configuration creates (on AKS, Terraform's): the GitRepository and the `<cluster>-cluster` Kustomization
 * of clusters/<cluster>, with its substitutions. A test commits to the copy and pushes, as a person would.
 */
export class GitOps {
  private constructor(
    readonly plane: ControlPlane,
    readonly flux: Flux,
    readonly server: GitServer,
    /** The working copy the test commits in. */
    readonly work: string,
    readonly options: GitOpsOptions,
  ) {}

  static async start(plane: ControlPlane, flux: Flux, dir: string, options: GitOpsOptions): Promise<GitOps> {
    const work = path.join(dir, 'work');
    const { stdout } = await run(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', ...options.paths],
      {
        cwd: repositoryRoot,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    for (const file of new Set(stdout.split('\n').filter(Boolean))) {
      await mkdir(path.join(work, path.dirname(file)), { recursive: true });
      await copyFile(path.join(repositoryRoot, file), path.join(work, file)).catch(
        (error: { code?: string }) => {
          if (error.code !== 'ENOENT') throw error; // deleted in the working tree, not yet in Git
        },
      );
    }
    await git(work, 'init', '-q', '-b', 'main');
    await git(work, 'add', '-A');
    await git(work, 'commit', '-qm', `the ${options.cluster} cluster as on main`);
    await options.prepare?.(work);
    await mkdir(path.join(dir, 'git'));
    await git(path.join(dir, 'git'), 'init', '-q', '--bare', '-b', 'main', `${options.cluster}.git`);
    await git(work, 'remote', 'add', 'origin', path.join(dir, 'git', `${options.cluster}.git`));
    await git(work, 'push', '-q', 'origin', 'main');
    const server = await GitServer.start(path.join(dir, 'git'));
    const gitops = new GitOps(plane, flux, server, work, options);
    // The commit-status token a person puts into the cluster once (apps/README.md, "First deployment").
    await plane.apply(`apiVersion: v1
kind: Secret
metadata: { name: github-commit-status, namespace: flux-system }
stringData: { token: not-a-real-token }
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: ${options.cluster}, namespace: flux-system }
spec:
  url: ${server.url}/${options.cluster}.git
  ref: { branch: main }
  interval: 1m
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: ${gitops.root}, namespace: flux-system }
spec:
  sourceRef: { kind: GitRepository, name: ${options.cluster} }
  path: ./clusters/${options.cluster}
  interval: 2m
  retryInterval: 1m
  timeout: 10m
  prune: true
  force: true
${postBuild(options)}`);
    return gitops;
  }

  /** The Kustomization the Flux configuration creates (the AKS extension names it `<configuration>-cluster`). */
  get root(): string {
    return `${this.options.cluster}-cluster`;
  }

  head(): Promise<string> {
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /**
   * What a push and Flux's interval do, without waiting for the interval: fetch the source, apply at once (as
   * `flux reconcile kustomization --with-source` does).
   */
  async reconcile(): Promise<void> {
    const sha = await this.head();
    const now = new Date().toISOString();
    const annotate = (object: string) =>
      this.plane
        .kubectl(
          'annotate',
          '--overwrite',
          '-n',
          'flux-system',
          object,
          `reconcile.fluxcd.io/requestedAt=${now}`,
        )
        .catch(() => undefined);
    await annotate(`gitrepository/${this.options.cluster}`);
    // Asked before the source holds the commit, a Kustomization would apply the previous one again, and health-check
    // it for as long as its timeout when that one was a release that cannot become healthy.
    let fetched = '';
    await waitFor(
      () =>
        `GitRepository ${this.options.cluster} to fetch ${sha.slice(0, 7)}; it has ${fetched || 'nothing'}`,
      async () => {
        fetched = await this.plane.kubectl(
          'get',
          `gitrepository/${this.options.cluster}`,
          '-n',
          'flux-system',
          '-o',
          'jsonpath={.status.artifact.revision}',
        );
        return fetched.endsWith(sha);
      },
      60_000,
      250,
    );
    // Each Kustomization of the source starts on the new commit by itself. One that has not within a few seconds (it
    // waits for a dependency) is asked, the root first, then what depends on nothing, then the rest. One that has
    // started is not asked: it would run again once done — a second health check, its whole timeout long, of a
    // release that cannot become healthy.
    type Kustomization = {
      metadata: { name: string };
      spec: { dependsOn?: unknown[] };
      status?: { lastAttemptedRevision?: string; conditions?: Condition[] };
    };
    const startedOn = (k: Kustomization) =>
      (k.status?.lastAttemptedRevision ?? '').endsWith(sha) ||
      (k.status?.conditions ?? []).some(
        (c) => c.type === 'Reconciling' && c.status === 'True' && (c.message ?? '').includes(sha),
      );
    let waiting: Kustomization[] = [];
    await waitFor(
      'every Kustomization to start on the commit by itself',
      async () => {
        const { items } = JSON.parse(
          await this.plane.kubectl('get', 'kustomizations', '-n', 'flux-system', '-o', 'json'),
        ) as { items: Kustomization[] };
        waiting = items.filter((k) => !startedOn(k));
        return waiting.length === 0;
      },
      5_000,
      250,
    ).catch(() => undefined);
    const order = (k: Kustomization) =>
      k.metadata.name === this.root ? 0 : k.spec.dependsOn?.length ? 2 : 1;
    for (const k of waiting.sort((a, b) => order(a) - order(b)))
      await annotate(`kustomization/${k.metadata.name}`);
  }

  /** Commits every change of the working copy, pushes, asks Flux to reconcile; resolves with the commit. */
  async push(message: string): Promise<string> {
    await git(this.work, 'commit', '-qam', message);
    return this.pushed();
  }

  /** Reverts the last commit (a rollback), pushes, asks Flux to reconcile; resolves with the revert commit. */
  async revert(): Promise<string> {
    await git(this.work, 'revert', '--no-edit', 'HEAD');
    return this.pushed();
  }

  /** Pushes what is committed, asks Flux to reconcile; resolves with the commit. */
  async pushed(): Promise<string> {
    await git(this.work, 'push', '-q', 'origin', 'main');
    await this.reconcile();
    return this.head();
  }

  /** `npm run release -- <tag> --digest <digest>` on apps/<overlay> of the working copy, then a commit. */
  release(overlay: string, tag: string, digest: string): Promise<void> {
    return GitOps.release(this.work, overlay, tag, digest);
  }

  /** The same in a working copy before a GitOps loop reads it (GitOpsOptions.prepare). */
  static async release(work: string, overlay: string, tag: string, digest: string): Promise<void> {
    const kustomization = path.join(work, 'apps', overlay, 'kustomization.yaml');
    await run(
      'npm',
      ['run', '-s', 'release', '--', tag, '--digest', digest, '--kustomization', kustomization],
      {
        cwd: repositoryRoot,
      },
    );
    await git(work, 'commit', '-qam', `Release lake-service ${tag} to ${overlay}`);
  }

  async conditions(kind: string, name: string, namespace = 'flux-system'): Promise<Condition[]> {
    const json = await this.plane.kubectl(
      'get',
      kind,
      name,
      '-n',
      namespace,
      '-o',
      'jsonpath={.status.conditions}',
    );
    return JSON.parse(json || '[]') as Condition[];
  }

  async ready(name: string): Promise<Condition | undefined> {
    return (await this.conditions('kustomization', name)).find((c) => c.type === 'Ready');
  }

  private status(name: string, field: string): Promise<string> {
    return this.plane.kubectl(
      'get',
      'kustomization',
      name,
      '-n',
      'flux-system',
      '-o',
      `jsonpath={.status.${field}}`,
    );
  }

  appliedRevision(name: string): Promise<string> {
    return this.status(name, 'lastAppliedRevision');
  }

  attemptedRevision(name: string): Promise<string> {
    return this.status(name, 'lastAttemptedRevision');
  }

  /** Waits until `name` has applied `sha` and says Ready; a failure names the controllers' state. */
  async appliedAndReady(name: string, sha: string, timeoutMs = 120_000): Promise<void> {
    let last: Condition | undefined;
    await waitFor(
      () =>
        `Kustomization ${name} to apply ${sha.slice(0, 7)} and be Ready; its Ready condition: ${JSON.stringify(last)}; stopped early: ${[...this.plane.exited(), ...this.flux.exited()].join('\n') || 'none'}`,
      async () => {
        last = await this.ready(name);
        return (await this.appliedRevision(name)).endsWith(sha) && last?.status === 'True';
      },
      timeoutMs,
      500,
    );
  }

  /**
   * Waits until `name` has tried `sha` and failed it (not Ready for a reason of its own, not while it waits for a
   * dependency); resolves with its Ready condition (the reason).
   */
  async failed(name: string, sha: string, timeoutMs: number): Promise<Condition> {
    let last: Condition | undefined;
    await waitFor(
      () => `Kustomization ${name} to fail ${sha.slice(0, 7)}; its Ready condition: ${JSON.stringify(last)}`,
      async () => {
        last = await this.ready(name);
        return (
          (await this.attemptedRevision(name)).endsWith(sha) &&
          last?.status === 'False' &&
          last.reason !== 'DependencyNotReady'
        );
      },
      timeoutMs,
      500,
    );
    return last!;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
