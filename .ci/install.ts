// Installs the tools of .ci/tools.yaml that this machine lacks, and prints (with --print-env) the environment the
// tests read them from. Run by .ci/with-tools.sh before every `npm test`; quick when everything is there.
//   node --import tsx .ci/install.ts [--for <part>]... [--defer | --deferred <part>]... [--print-env | --list] [<tool>...]
// Two installers on one machine never build the same tool at once: the second waits, then finds it built.
import { spawn } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildKey,
  expand,
  findTool,
  type GoBuild,
  located,
  type Tool,
  target,
  tool,
  toolPath,
  tools,
  toolsHome,
  toolsList,
  wrapperFolder,
} from '../delivery/checks/tools.js';
import { MachineLock } from './machineLock.js';

const log = (line: string) => process.stderr.write(`tools: ${line}\n`);

/** Runs a command with its output on stderr (stdout carries the environment); fails naming the command. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** The tools asked for, with everything they need. */
function selection(names: string[], parts: string[]): Tool[] {
  const all = tools();
  const wanted = new Set(
    names.length > 0
      ? names
      : all
          .filter((t) => parts.length === 0 || t.tests.some((test) => parts.some((p) => test.startsWith(p))))
          .map((t) => t.name),
  );
  for (const name of wanted) for (const need of tool(name).needs ?? []) wanted.add(need);
  return all.filter((t) => wanted.has(t.name));
}

async function aptInstall(packages: string[]): Promise<void> {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (...args: string[]) =>
    sudo.length
      ? run('sudo', ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args])
      : run('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  log(`installing Debian packages: ${packages.join(' ')}`);
  await apt('update', '-qq');
  await apt('install', '-y', '-qq', '--no-install-recommends', ...packages);
}

const goVersion = (version: string) => (version.startsWith('v') ? version : `v${version}`);

/**
 * Go's build and module caches for this installer's builds only, unless the caller chose its own: a first run's
 * builds fill ~15 GB there that nothing reads once the tools are built, so they are removed when the installer ends.
 * One folder per installer process, because the background installer may still build while another ends.
 */
const goCaches = path.join(toolsHome, '.go-caches', String(process.pid));

function goEnv(): NodeJS.ProcessEnv {
  const go = toolPath('go');
  return {
    PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH ?? ''}`,
    // -modcacherw: module files Go leaves writable can be removed with the folder.
    GOFLAGS: '-mod=mod -buildvcs=false -modcacherw',
    CGO_ENABLED: '0',
    GOCACHE: process.env.GOCACHE || path.join(goCaches, 'build'),
    GOMODCACHE: process.env.GOMODCACHE || path.join(goCaches, 'mod'),
  };
}

/** Removes this installer's Go caches, and those of installers that died before removing theirs. */
async function removeGoCaches(): Promise<void> {
  const parent = path.dirname(goCaches);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const folders = await readdir(parent).catch(() => [] as string[]);
  for (const folder of folders)
    if (/^\d+$/.test(folder) && (Number(folder) === process.pid || !alive(Number(folder))))
      await rm(path.join(parent, folder), { recursive: true, force: true });
}

/** The folder a module version was downloaded to (downloading it if needed), from outside any module. */
async function moduleFolder(module: string, version: string): Promise<string> {
  const outside = await mkdtemp(path.join(os.tmpdir(), 'odp-go-'));
  try {
    const json = await run('go', ['mod', 'download', '-json', `${module}@${goVersion(version)}`], {
      cwd: outside,
      env: goEnv(),
    });
    return (JSON.parse(json) as { Dir: string }).Dir;
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
}

const ldflags = (build: GoBuild, version: string) => `-s -w ${expand(build.ldflags ?? '', version)}`.trim();

/** A wrapper's go.mod must require the module of the listed version, so the list's version is what is built. */
async function checkWrapperVersion(t: Tool, wrapper: string, pkg: string): Promise<void> {
  const goMod = JSON.parse(
    await run('go', ['mod', 'edit', '-json'], { cwd: wrapperFolder(wrapper), env: goEnv() }),
  ) as { Module: { Path: string }; Require: { Path: string; Version: string }[] | null };
  if (goMod.Module.Path === pkg) return; // a program of our own
  const required = goMod.Require?.find(({ Path }) => pkg === Path || pkg.startsWith(`${Path}/`));
  if (required?.Version !== t.version) {
    throw new Error(
      `${t.name}: ${toolsList} says ${t.version}, but .ci/kube/build/${wrapper}/go.mod requires ${required ? `${required.Path} ${required.Version}` : `no module of ${pkg}`}`,
    );
  }
}

/** The file `go build -o <folder>/` writes a main package to: its last path element, or the one before a /vN. */
function binaryName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts.at(-1)!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

/** Builds every listed tool of one wrapper module in one `go build` (they share most packages), then moves each into place. */
async function buildWrapper(group: Tool[]): Promise<void> {
  const first = group[0]!;
  const build = (first.install as { go: GoBuild & { wrapper: string } }).go;
  for (const t of group)
    await checkWrapperVersion(t, build.wrapper, (t.install as { go: { package: string } }).go.package);
  const work = await mkdtemp(path.join(os.tmpdir(), `odp-${build.wrapper}-`));
  try {
    await cp(wrapperFolder(build.wrapper), work, { recursive: true });
    const out = path.join(work, 'out');
    const packages = group.map((t) => (t.install as { go: { package: string } }).go.package);
    log(`building ${group.map((t) => `${t.name} ${t.version}`).join(', ')} (one go build)`);
    await run(
      'nice',
      [
        '-n',
        '10',
        'go',
        'build',
        '-trimpath',
        `-ldflags=${ldflags(build, first.version)}`,
        '-o',
        `${out}/`,
        ...packages,
      ],
      { cwd: work, env: goEnv() },
    );
    for (const t of group) {
      const destination = target(t);
      await mkdir(path.dirname(destination), { recursive: true });
      const { crds, package: pkg } = (t.install as { go: { crds?: string; package: string } }).go;
      if (crds) {
        const source = path.join(await moduleFolder(pkg, t.version), crds);
        const into = path.join(path.dirname(destination), 'crds');
        await mkdir(into, { recursive: true });
        for (const file of await readdir(source))
          if (file.endsWith('.yaml')) await copyFile(path.join(source, file), path.join(into, file));
      }
      // Copied beside the target, then renamed, so a half-written binary is never found.
      await copyFile(path.join(out, binaryName(pkg)), `${destination}.part`);
      await rename(`${destination}.part`, destination);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function buildGo(t: Tool, build: GoBuild): Promise<void> {
  const destination = target(t);
  await mkdir(path.dirname(destination), { recursive: true });
  const flags = `-ldflags=${ldflags(build, t.version)}`;
  log(`building ${t.name} ${t.version} from its Go module`);
  if ('install' in build) {
    const bin = await mkdtemp(path.join(os.tmpdir(), 'odp-gobin-'));
    await run(
      'nice',
      ['-n', '10', 'go', 'install', '-trimpath', flags, `${build.install}@${goVersion(t.version)}`],
      { env: { ...goEnv(), GOBIN: bin } },
    );
    await copyFile(path.join(bin, path.basename(build.install)), `${destination}.part`);
    await rm(bin, { recursive: true, force: true });
  } else if ('module' in build) {
    // Built inside the downloaded module: its replace and exclude lines apply, which `go install` refuses.
    const folder = await moduleFolder(build.module, t.version);
    await run(
      'nice',
      ['-n', '10', 'go', 'build', '-trimpath', flags, '-o', `${destination}.part`, build.package],
      { cwd: folder, env: goEnv() },
    );
  }
  await rename(`${destination}.part`, destination);
}

async function installPip(t: Tool, pip: { package: string } | { requirements: string }): Promise<void> {
  const venv = path.dirname(path.dirname(target(t)));
  log(`installing ${t.name} ${t.version} into ${venv}`);
  await rm(venv, { recursive: true, force: true });
  try {
    await run('python3', ['-m', 'venv', venv]);
    const what =
      'package' in pip
        ? [`${pip.package}==${t.version}`]
        : ['--no-deps', '-r', path.join(toolsList, '..', '..', pip.requirements)];
    await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...what]);
  } catch (error) {
    await rm(venv, { recursive: true, force: true });
    throw error;
  }
}

/** Links a tool where other readers expect it (a fixed path under the tools folder, a Docker CLI plugin folder). */
async function link(t: Tool, found: string): Promise<void> {
  for (const place of t.link ?? []) {
    const at = located(place);
    await mkdir(path.dirname(at), { recursive: true });
    await rm(at, { force: true });
    await symlink(found, at);
  }
}

/**
 * Runs `work` holding the machine-wide lock `name` (under the tools folder), unless `done()` says, once the lock
 * is held, that another installer did it meanwhile: two installers never build the same thing twice.
 */
async function once(name: string, done: () => boolean, work: () => Promise<void>): Promise<void> {
  if (done()) return;
  const lock = await MachineLock.acquire(path.join(toolsHome, '.locks', name), 120 * 60_000, (owner) =>
    log(`waiting for another installer (pid ${owner}), which is installing ${name}`),
  );
  try {
    if (!done()) await work();
  } finally {
    await lock.release();
  }
}

async function install(selected: Tool[]): Promise<void> {
  const missing = () => selected.filter((t) => !findTool(t.name));
  const present = (group: Tool[]) => () => group.every((t) => findTool(t.name));
  const apt = missing().filter((t) => 'apt' in t.install);
  await once('apt', present(apt), () =>
    aptInstall([...new Set(missing().flatMap((t) => ('apt' in t.install ? t.install.apt : [])))]),
  );
  for (const t of missing()) {
    const install = t.install;
    if ('pip' in install) await once(t.name, present([t]), () => installPip(t, install.pip));
  }
  const wrappers = new Map<string, Tool[]>();
  for (const t of missing()) {
    if (!('go' in t.install)) continue;
    const build = t.install.go;
    if ('wrapper' in build) {
      const key = `${build.wrapper}-${buildKey(t)}`;
      wrappers.set(key, [...(wrappers.get(key) ?? []), t]);
    } else await once(t.name, present([t]), () => buildGo(t, build));
  }
  for (const [key, group] of wrappers)
    await once(key, present(group), () => buildWrapper(group.filter((t) => !findTool(t.name))));
  const still = missing();
  if (still.length > 0)
    throw new Error(
      `installed, yet still not found: ${still.map((t) => `${t.name} (in ${t.lands.join(', ')})`).join('; ')}`,
    );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      for: { type: 'string', multiple: true, default: [] },
      'print-env': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      defer: { type: 'string', multiple: true, default: [] },
      deferred: { type: 'string', multiple: true, default: [] },
    },
  });
  const started = Date.now();
  // The Go builds only one part's tests need: --defer <part> leaves them out, --deferred <part> does only them
  // (with-tools.sh runs those in the background while the other parts' tests run).
  const onlyFor = (t: Tool, parts: string[]) =>
    'go' in t.install &&
    t.tests.length > 0 &&
    parts.some((part) => t.tests.every((test) => test.startsWith(part)));
  const asked = selection(positionals, values.for);
  const later = asked.filter((t) => onlyFor(t, values.deferred)).map((t) => t.name);
  const selected =
    values.deferred.length === 0
      ? asked.filter((t) => !onlyFor(t, values.defer))
      : later.length > 0
        ? selection(later, [])
        : [];
  if (values.list) {
    for (const t of selected)
      console.log(`${t.name}\t${t.version}\t${findTool(t.name) ?? 'missing'}\t${t.tests.join(' ')}`);
    return;
  }
  try {
    await install(selected);
  } finally {
    await removeGoCaches();
  }
  const env: string[] = [];
  const pathDirs = new Set((process.env.PATH ?? '').split(path.delimiter));
  for (const t of selected) {
    const found = toolPath(t.name);
    await link(t, found);
    if (t.onPath && !pathDirs.has(path.dirname(found))) {
      pathDirs.add(path.dirname(found));
      env.push(`export PATH=${shellQuote(path.dirname(found))}:"$PATH"`);
    }
    if (t.env) env.push(`export ${t.env}=${shellQuote(found)}`);
  }
  log(
    `${selected.length} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${toolsList}, built ones under ${toolsHome})`,
  );
  if (values['print-env']) process.stdout.write(`${env.join('\n')}\n`);
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
