import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What a real node changes on the machine it runs on, captured before it starts and put back when it stops: the
 * kubelet's and kube-proxy's kernel settings and iptables chains, the CNI's bridge and network namespaces, the
 * runtime's mounts and the kubelet's cgroups. Only what the node made is removed (chains named KUBE-… and CNI-…,
 * new namespaces named cni-…, the node's own cgroup root, bridge and folders), so another engine's rules and
 * mounts on the same machine are left alone.
 */

/** Kernel settings the kubelet, kube-proxy and the CNI bridge plugin set. */
const SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_tcp_timeout_established',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
];
const TABLES = ['filter', 'nat', 'mangle', 'raw'];
const NETNS = '/run/netns';
/** Folders the kubelet and the CNI write to at fixed places whatever they are configured with. */
const FIXED_FOLDERS = ['/var/lib/cni', '/var/log/containers', '/var/log/pods'];

export interface NodeFootprint {
  /** Folders the node keeps everything else in (its runtime's root and state, the kubelet's root). */
  folders: string[];
  /** The cgroup every pod and the runtime's sandboxes live under, e.g. /odp-node-1a2b. */
  cgroupRoot: string;
  bridge: string;
}

interface Snapshot {
  sysctls: Map<string, string>;
  rules: Map<string, string[]>;
  netns: Set<string>;
  netnsFolder: boolean;
  /** Every file and folder under the fixed folders (and the folders themselves) that exists. */
  files: Set<string>;
}

async function readSysctls(): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const name of SYSCTLS) {
    const value = await readFile(path.join('/proc/sys', name), 'utf8').catch(() => undefined);
    if (value !== undefined) values.set(name, value.trim());
  }
  return values;
}

/** `iptables-save` of one table, by family: the rule lines and chain declarations. */
async function readRules(): Promise<Map<string, string[]>> {
  const rules = new Map<string, string[]>();
  for (const family of ['iptables', 'ip6tables']) {
    for (const table of TABLES) {
      const saved = await run(`${family}-save`, ['-t', table]).then(
        ({ stdout }) => stdout,
        () => '',
      );
      rules.set(
        `${family} ${table}`,
        saved.split('\n').filter((line) => line.startsWith('-A ') || line.startsWith(':')),
      );
    }
  }
  return rules;
}

async function snapshot(): Promise<Snapshot> {
  return {
    sysctls: await readSysctls(),
    rules: await readRules(),
    netns: new Set(await readdir(NETNS).catch(() => [])),
    netnsFolder: existsSync(NETNS),
    files: new Set(await filesUnder(FIXED_FOLDERS)),
  };
}

/** The fixed folders that exist, and everything in them, folders before what they hold. */
async function filesUnder(folders: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    found.push(folder);
    for (const entry of await readdir(folder, { recursive: true }).catch(() => []))
      found.push(path.join(folder, entry));
  }
  return found;
}

/** The cgroup hierarchies of this machine: v1 controllers each, or the one v2 tree. */
export async function cgroupHierarchies(): Promise<string[]> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, , type]) => type === 'cgroup' || type === 'cgroup2')
    .map(([, mountPoint]) => mountPoint!);
}

const isOurs = (name: string) => /^(KUBE|CNI)-/.test(name);

export class HostState {
  private constructor(
    readonly footprint: NodeFootprint,
    readonly before: Snapshot,
  ) {}

  static async capture(footprint: NodeFootprint): Promise<HostState> {
    return new HostState(footprint, await snapshot());
  }

  /** As JSON, so a later run can restore the machine for a run that was killed before it could. */
  toJSON(): unknown {
    const { sysctls, rules, netns, netnsFolder, files } = this.before;
    return {
      footprint: this.footprint,
      before: { sysctls: [...sysctls], rules: [...rules], netns: [...netns], netnsFolder, files: [...files] },
    };
  }

  static fromJSON(json: unknown): HostState {
    const { footprint, before } = json as {
      footprint: NodeFootprint;
      before: {
        sysctls: [string, string][];
        rules: [string, string[]][];
        netns: string[];
        netnsFolder: boolean;
        files: string[];
      };
    };
    return new HostState(footprint, {
      sysctls: new Map(before.sysctls),
      rules: new Map(before.rules),
      netns: new Set(before.netns),
      netnsFolder: before.netnsFolder,
      files: new Set(before.files),
    });
  }

  /**
   * Puts the machine back as captured, after the node's processes have stopped. Resolves with what is still
   * different afterwards (empty when everything was restored), so a test can fail naming it.
   */
  async restore(): Promise<string[]> {
    await this.unmount();
    for (const name of await readdir(NETNS).catch(() => [])) {
      if (!this.before.netns.has(name) && name.startsWith('cni-'))
        await run('ip', ['netns', 'delete', name]).catch(() => undefined);
    }
    await run('ip', ['link', 'delete', this.footprint.bridge]).catch(() => undefined);
    await this.removeRules();
    await this.removeCgroups();
    for (const [name, value] of this.before.sysctls) {
      const now = await readFile(path.join('/proc/sys', name), 'utf8').catch(() => undefined);
      if (now !== undefined && now.trim() !== value)
        await writeFile(path.join('/proc/sys', name), value).catch(() => undefined);
    }
    // What the kubelet and the CNI left at their fixed places (log links, cached results of pods killed at once).
    const created = (await filesUnder(FIXED_FOLDERS)).filter((file) => !this.before.files.has(file));
    for (const file of created.reverse()) await rm(file, { recursive: true, force: true });
    if (!this.before.netnsFolder) await rmdir(NETNS).catch(() => undefined);
    return this.differences();
  }

  /** What differs from the snapshot: the node's leftovers. */
  async differences(): Promise<string[]> {
    const now = await snapshot();
    const left: string[] = [];
    for (const [name, value] of this.before.sysctls) {
      if (now.sysctls.get(name) !== value)
        left.push(`sysctl ${name} is ${now.sysctls.get(name)}, was ${value}`);
    }
    for (const [table, lines] of now.rules) {
      const before = new Set(this.before.rules.get(table));
      for (const line of lines)
        if (!before.has(line) && /(KUBE|CNI)-/.test(line)) left.push(`${table}: ${line}`);
    }
    for (const name of now.netns)
      if (!this.before.netns.has(name) && name.startsWith('cni-')) left.push(`network namespace ${name}`);
    for (const file of now.files) if (!this.before.files.has(file)) left.push(`file ${file}`);
    if (now.netnsFolder && !this.before.netnsFolder) left.push(`folder ${NETNS}`);
    for (const mount of await this.mounts()) left.push(`mount ${mount}`);
    for (const hierarchy of await cgroupHierarchies()) {
      const cgroup = path.join(hierarchy, this.footprint.cgroupRoot);
      if (existsSync(cgroup)) left.push(`cgroup ${cgroup}`);
    }
    if (existsSync(`/sys/class/net/${this.footprint.bridge}`)) left.push(`bridge ${this.footprint.bridge}`);
    return left;
  }

  /** Mount points the node made: under its folders, and its network namespaces. */
  private async mounts(): Promise<string[]> {
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    const points = mountinfo
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .map((point) => point.replace(/\\040/g, ' '));
    return points.filter(
      (point) =>
        this.footprint.folders.some((folder) => point === folder || point.startsWith(`${folder}/`)) ||
        (point.startsWith(`${NETNS}/cni-`) && !this.before.netns.has(path.basename(point))),
    );
  }

  private async unmount(): Promise<void> {
    // Deepest first, lazily: a mount still in use is detached now and freed once its last user is gone.
    const points = [...new Set(await this.mounts())].sort((a, b) => b.length - a.length);
    for (const point of points) await run('umount', ['-l', point]).catch(() => undefined);
  }

  /** Deletes the rules the node added and the KUBE-/CNI- chains it created, leaving every other rule alone. */
  private async removeRules(): Promise<void> {
    const now = await readRules();
    for (const [key, lines] of now) {
      const [family, table] = key.split(' ') as [string, string];
      const before = this.before.rules.get(key) ?? [];
      const added = lines.filter((line) => !before.includes(line));
      const chains = added
        .filter((line) => line.startsWith(':'))
        .map((line) => line.slice(1).split(' ')[0]!)
        .filter(isOurs);
      // Rules in the chains about to go are flushed with them; the others are deleted one by one.
      const rules = added.filter(
        (line) => line.startsWith('-A ') && /(KUBE|CNI)-/.test(line) && !chains.includes(line.split(' ')[1]!),
      );
      if (rules.length === 0 && chains.length === 0) continue;
      // Rules are deleted by their exact text (iptables-restore reads the quoting iptables-save wrote), then the
      // emptied chains are flushed and deleted.
      const script = [
        `*${table}`,
        ...rules.map((line) => `-D ${line.slice(3)}`),
        ...chains.map((chain) => `-F ${chain}`),
        ...chains.map((chain) => `-X ${chain}`),
        'COMMIT',
        '',
      ].join('\n');
      await new Promise<void>((resolve) => {
        const child = execFile(`${family}-restore`, ['--noflush'], () => resolve());
        child.stdin?.end(script);
      });
    }
  }

  private async removeCgroups(): Promise<void> {
    for (const hierarchy of await cgroupHierarchies()) {
      const root = path.join(hierarchy, this.footprint.cgroupRoot);
      if (existsSync(root)) await removeCgroupTree(root);
    }
  }
}

/** A cgroup and everything below it, children first (a cgroup folder is removed with rmdir, never rm). */
async function removeCgroupTree(cgroup: string): Promise<void> {
  const entries = await readdir(cgroup, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeCgroupTree(path.join(cgroup, entry.name));
  await rmdir(cgroup).catch(() => undefined);
}
