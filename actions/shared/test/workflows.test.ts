import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const workflowsDir = join(root, '.github/workflows');
const actionlint = join(process.env.ODP_TOOLS ?? join(homedir(), '.cache/odp/tools'), 'bin/actionlint');

interface Job {
  permissions?: unknown;
  uses?: string;
  'runs-on'?: unknown;
}

async function workflows(): Promise<
  Array<{ file: string; text: string; jobs: Record<string, Job>; permissions: unknown }>
> {
  const files = (await readdir(workflowsDir)).filter((f) => f.endsWith('.yml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(workflowsDir, file), 'utf8');
      const doc = parse(text) as { jobs: Record<string, Job>; permissions?: unknown };
      return { file, text, jobs: doc.jobs, permissions: doc.permissions };
    }),
  );
}

describe('workflows and action metadata', () => {
  it('pass actionlint (which also checks the inputs given to ./actions/*)', async function () {
    if (!existsSync(actionlint)) {
      throw new Error(`${actionlint} is missing: run .ci/setup.d/actions.sh (it builds actionlint once)`);
    }
    this.timeout(60_000);
    const result = await run(actionlint, ['-config-file', '.github/actionlint.yaml'], { cwd: root }).catch(
      (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? String(error), stderr: '' }),
    );
    expect(result.stdout, result.stdout).to.equal('');
  });

  it('grant nothing at workflow level and name each job its permissions', async () => {
    for (const { file, jobs, permissions } of await workflows()) {
      expect(permissions, `${file}: top-level permissions`).to.deep.equal({});
      for (const [name, job] of Object.entries(jobs)) {
        if (file === 'infra-stacks.yml') continue; // called workflow: its callers grant per job
        expect(job.permissions, `${file}: job ${name} has no permissions block`).to.be.an('object');
        expect(JSON.stringify(job.permissions), `${file}: job ${name}`).not.to.include('write-all');
      }
    }
  });

  it('name the private runner pool in one place, which every Terraform job goes through', async () => {
    const all = await workflows();
    const naming = all.filter(({ text }) => text.includes('odp-private')).map(({ file }) => file);
    expect(naming).to.deep.equal(['infra-stacks.yml']);
    for (const file of ['infra-plan.yml', 'infra-apply.yml', 'drift.yml']) {
      const workflow = all.find((w) => w.file === file);
      const jobs = Object.values(workflow?.jobs ?? {});
      expect(
        jobs.map((j) => j.uses),
        file,
      ).to.deep.equal(['./.github/workflows/infra-stacks.yml']);
    }
  });
});
