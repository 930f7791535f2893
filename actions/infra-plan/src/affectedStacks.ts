import { existsSync } from 'node:fs';
import { readdir, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { configHash, listStacks, type Stack, type StackInputs, scratchDir } from '@odp/actions-shared';

/**
 * The stacks whose synthesized configuration differs from the base commit's: the app is synthesized again
 * in a temporary worktree of `baseRef` (sharing the installed node_modules) and the stacks are compared by
 * configuration hash. A stack new in this PR counts as affected.
 */
export async function affectedStacks(
  stacks: readonly Stack[],
  inputs: StackInputs,
  baseRef: string,
): Promise<Stack[]> {
  const root = (await git(inputs.workingDirectory, ['rev-parse', '--show-toplevel'])).trim();
  const scratch = await scratchDir('odp-base');
  const worktree = join(scratch, 'tree');
  await git(root, ['worktree', 'add', '--detach', worktree, baseRef]);
  try {
    await shareNodeModules(root, worktree);
    const baseWorkingDirectory = join(worktree, relative(root, inputs.workingDirectory));
    const { exitCode, stderr } = await exec.getExecOutput('sh', ['-c', inputs.synthCommand], {
      cwd: baseWorkingDirectory,
      ignoreReturnCode: true,
      silent: true,
    });
    if (exitCode !== 0) {
      core.warning(`synthesizing the base ${baseRef} failed, so every stack is planned:\n${stderr.trim()}`);
      return [...stacks];
    }
    const baseStacksDir = join(worktree, relative(root, inputs.stacksDir));
    const base = existsSync(baseStacksDir) ? await listStacks(baseStacksDir, []) : [];
    const affected: Stack[] = [];
    for (const stack of stacks) {
      const before = base.find((s) => s.name === stack.name);
      if (!before || (await configHash(before)) !== (await configHash(stack))) affected.push(stack);
    }
    return affected;
  } finally {
    await git(root, ['worktree', 'remove', '--force', worktree]);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Links the checkout's node_modules (root and one or two levels down) into the worktree. */
async function shareNodeModules(root: string, worktree: string): Promise<void> {
  const candidates = ['node_modules'];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    candidates.push(join(entry.name, 'node_modules'));
    for (const inner of await readdir(join(root, entry.name), { withFileTypes: true })) {
      if (inner.isDirectory() && inner.name !== 'node_modules') {
        candidates.push(join(entry.name, inner.name, 'node_modules'));
      }
    }
  }
  for (const path of candidates) {
    if (
      existsSync(join(root, path)) &&
      existsSync(join(worktree, path, '..')) &&
      !existsSync(join(worktree, path))
    ) {
      await symlink(join(root, path), join(worktree, path), 'dir');
    }
  }
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { exitCode, stdout, stderr } = await exec.getExecOutput('git', args, {
    cwd,
    ignoreReturnCode: true,
    silent: true,
  });
  if (exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim()}`);
  return stdout;
}
