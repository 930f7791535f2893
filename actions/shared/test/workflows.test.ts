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
    // Findings go to stdout with exit 1; a crash may print only to stderr. Any non-zero exit fails.
    const result = await run(actionlint, ['-config-file', '.github/actionlint.yaml'], { cwd: root }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { stdout?: string; stderr?: string; code?: number }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? String(error),
      }),
    );
    expect(result, `${result.stdout}${result.stderr}`).to.deep.include({ code: 0, stdout: '' });
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
