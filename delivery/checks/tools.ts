import { createHash } from 'node:crypto';
import { globSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repositoryRoot } from './repository.js';

/**
 * The tools the tests need beyond npm, as `.ci/tools.yaml` declares them, and where each one is. The installer
 * (`.ci/install.ts`) reads the same list, so a test finds a tool exactly where it was put.
 */

/** Where built tools land (the same default as .ci/node24.sh). */
export const toolsHome = process.env.ODP_TOOLS ?? path.join(os.homedir(), '.cache', 'odp', 'tools');
export const toolsList = path.join(repositoryRoot, '.ci', 'tools.yaml');

export type GoBuild =
  | { install: string; ldflags?: string }
  | { module: string; package: string; ldflags?: string }
  | { wrapper: string; package: string; ldflags?: string; crds?: string };
export type Install =
  | { apt: string[] }
  | { go: GoBuild }
  | { pip: { package: string } | { requirements: string } };

export interface Tool {
  name: string;
  version: string;
  install: Install;
  lands: string[];
  link?: string[];
  env?: string;
  onPath?: boolean;
  needs?: string[];
  tests: string[];
}

/** The folder of a Go wrapper module: its go.mod pins every dependency of what is built from it. */
export function wrapperFolder(wrapper: string): string {
  return path.join(repositoryRoot, '.ci', 'kube', 'build', wrapper);
}

let cached: Tool[] | undefined;

/** The list, checked: a mistake in it is named with the entry it is in. */
export function tools(): Tool[] {
  if (cached) return cached;
  const document = parse(readFileSync(toolsList, 'utf8')) as { tools?: unknown };
  if (!Array.isArray(document.tools)) throw new Error(`${toolsList}: expected a tools: list`);
  const list = document.tools as Tool[];
  const names = new Set<string>();
  for (const [index, tool] of list.entries()) {
    const where = `${toolsList}: tools[${index}]${tool?.name ? ` (${tool.name})` : ''}`;
    if (typeof tool?.name !== 'string' || typeof tool.version !== 'string')
      throw new Error(`${where}: needs a name and a version`);
    if (names.has(tool.name)) throw new Error(`${where}: the name ${tool.name} is listed twice`);
    names.add(tool.name);
    if (!Array.isArray(tool.lands) || tool.lands.length === 0)
      throw new Error(`${where}: lands: names no place to find it`);
    if (!Array.isArray(tool.tests)) throw new Error(`${where}: tests: must list the tests that need it`);
    const kinds = Object.keys(tool.install ?? {});
    if (kinds.length !== 1 || !['apt', 'go', 'pip'].includes(kinds[0]!))
      throw new Error(
        `${where}: install: must be exactly one of apt, go, pip (found ${kinds.join(', ') || 'none'})`,
      );
    if (!('apt' in tool.install) && !tool.lands.some(isInToolsHome))
      throw new Error(`${where}: a built tool needs a lands: path under the tools folder to be put at`);
    for (const need of tool.needs ?? [])
      if (!list.some((other) => other.name === need))
        throw new Error(`${where}: needs ${need}, which is not listed`);
  }
  cached = list;
  return list;
}

export function tool(name: string): Tool {
  const found = tools().find((t) => t.name === name);
  if (!found) throw new Error(`${name} is not in ${toolsList}`);
  return found;
}

function isInToolsHome(place: string): boolean {
  return !place.startsWith('/') && !place.startsWith('PATH:') && !place.startsWith('~');
}

/**
 * A hash of everything a tool is built from (its version, how it is built, the files it is built from), so a
 * changed pin, go.mod or flag lands in a new folder. Tools of one Go wrapper share it.
 */
export function buildKey(t: Tool): string {
  let key = buildKeys.get(t);
  if (!key) {
    key = hashBuild(t);
    buildKeys.set(t, key);
  }
  return key;
}

/** Computed once per tool: every lookup of a tool would otherwise read its wrapper module again. */
const buildKeys = new Map<Tool, string>();

function hashBuild(t: Tool): string {
  const hash = createHash('sha256');
  const install = t.install;
  if ('go' in install && 'wrapper' in install.go) {
    // Tools of one wrapper share their folder: it is keyed by the wrapper and the flags only.
    const folder = wrapperFolder(install.go.wrapper);
    for (const file of readdirSync(folder).sort())
      hash.update(`${file}\0${readFileSync(path.join(folder, file))}\0`);
    hash.update(expand(install.go.ldflags ?? '', t.version));
  } else {
    hash.update(`${t.version}\0${JSON.stringify(install)}`);
    if ('pip' in install && 'requirements' in install.pip)
      hash.update(readFileSync(path.join(repositoryRoot, install.pip.requirements)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** `<version>` and `<build>` filled in. */
export function expand(text: string, version: string, build?: () => string): string {
  return text.replaceAll('<version>', version).replaceAll('<build>', () => build?.() ?? '<build>');
}

/** Every place a tool may be, in the list's order, as absolute paths (PATH: entries searched in PATH). */
export function places(t: Tool): string[] {
  return t.lands.flatMap((place) => {
    const expanded = expand(place, t.version, () => buildKey(t));
    if (expanded.startsWith('PATH:')) return onPath(expanded.slice('PATH:'.length));
    if (expanded.startsWith('/')) return glob(expanded);
    return [located(expanded)];
  });
}

/** A place that is neither on PATH nor absolute: `~/…` under the home folder, anything else under the tools folder. */
export function located(place: string): string {
  return place.startsWith('~/') ? path.join(os.homedir(), place.slice(2)) : path.join(toolsHome, place);
}

/** Where the installer puts a built tool: its first place under the tools folder. */
export function target(t: Tool): string {
  const place = t.lands.find(isInToolsHome)!;
  return path.join(
    toolsHome,
    expand(place, t.version, () => buildKey(t)),
  );
}

/** Where `name` is now, or undefined. */
export function findTool(name: string): string | undefined {
  return places(tool(name)).find((place) => isFile(place));
}

/** Where `name` is; a missing tool is an error that says how to install it. */
export function toolPath(name: string): string {
  const found = findTool(name);
  if (found) return found;
  throw new Error(
    `${name} is not installed (looked in ${tool(name).lands.join(', ')}): run the tests with \`npm test\`, or install it with \`node --import tsx .ci/install.ts ${name}\``,
  );
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): string[] {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .flatMap((dir) => (dir ? [path.join(dir, command)] : []));
}

/** Absolute paths matching a pattern whose segments may hold `*`; the newest version first. */
function glob(pattern: string): string[] {
  return globSync(pattern).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
}
