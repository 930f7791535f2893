import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sha256 } from '../plan/PlanIdentity.js';

/** A synthesized Terraform root module: one directory under the stacks directory. */
export interface Stack {
  name: string;
  dir: string;
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LOCK_FILE = '.terraform.lock.hcl';

/** Stacks in `stacksDir` (each a directory with Terraform files), narrowed to `only` when given. */
export async function listStacks(stacksDir: string, only: readonly string[]): Promise<Stack[]> {
  if (!existsSync(stacksDir)) {
    throw new Error(`stacks-dir ${stacksDir} does not exist: did the synth command write it?`);
  }
  const entries = await readdir(stacksDir, { withFileTypes: true });
  const stacks: Stack[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(stacksDir, entry.name);
    const files = await readdir(dir);
    if (files.some((f) => f.endsWith('.tf') || f.endsWith('.tf.json')))
      stacks.push({ name: entry.name, dir });
  }
  for (const stack of stacks) {
    if (!STACK_NAME.test(stack.name))
      throw new Error(`stack directory name ${stack.name} is not a valid stack name`);
  }
  if (only.length === 0) return stacks;
  const unknown = only.filter((name) => !stacks.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `stacks ${unknown.join(', ')} not found in ${stacksDir} (found: ${stacks.map((s) => s.name).join(', ') || 'none'})`,
    );
  }
  return stacks.filter((s) => only.includes(s.name));
}

/** Hash of the stack's configuration files: what the synth produced, without Terraform's working files. */
export async function configHash(stack: Stack): Promise<string> {
  const files = (await walk(stack.dir)).sort();
  const parts: string[] = [];
  for (const file of files) {
    parts.push(relative(stack.dir, file), sha256(await readFile(file)));
  }
  return sha256(parts.join('\n'));
}

/** Hash of the provider lock file (after init), or `none` when the stack uses no providers. */
export async function lockHash(stack: Stack): Promise<string> {
  const path = join(stack.dir, LOCK_FILE);
  return existsSync(path) ? sha256(await readFile(path)) : 'none';
}

/** The backend type the synthesized JSON declares (`azurerm`, `local`, …), or null when not declared in JSON. */
export async function backendType(stack: Stack): Promise<string | null> {
  for (const file of (await readdir(stack.dir)).filter((f) => f.endsWith('.tf.json')).sort()) {
    const json = JSON.parse(await readFile(join(stack.dir, file), 'utf8')) as {
      terraform?: { backend?: Record<string, unknown> } | Array<{ backend?: Record<string, unknown> }>;
    };
    const blocks = Array.isArray(json.terraform) ? json.terraform : [json.terraform ?? {}];
    for (const block of blocks) {
      const [type] = Object.keys(block.backend ?? {});
      if (type) return type;
    }
  }
  return null;
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (
      entry.name === '.terraform' ||
      entry.name === LOCK_FILE ||
      /\.tfstate(\.|$)|\.tfplan$/.test(entry.name)
    ) {
      continue;
    }
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}
