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

/** A GitHub Actions expression as a workflow writes it. */
const gh = (expression: string) => `\${{ ${expression} }}`;

interface Step {
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}

interface Job {
  permissions?: unknown;
  uses?: string;
  'runs-on'?: unknown;
  environment?: string;
  secrets?: unknown;
  steps?: Step[];
}

/**
 * Every `uses:` of an action from another repository that is not pinned to a full commit SHA with its release
 * in a comment (`owner/repo@<40 hex> # v1.2.3`): a tag can be moved to other code, a commit cannot.
 */
function unpinnedActions(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    const use = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line);
    if (!use || use[1]!.startsWith('./')) return [];
    const pinned = /^[\w.-]+\/[\w.-]+(?:\/[^@\s]+)?@[0-9a-f]{40}$/.test(use[1]!);
    const tagged = /^v?\d+\.\d+\.\d+$/.test(use[2]?.trim() ?? '');
    return pinned && tagged ? [] : [`${file}:${index + 1}: ${line.trim()}`];
  });
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
      throw new Error(
        `${actionlint} is missing: run 'node --import tsx .ci/install.ts actionlint' (it builds actionlint once)`,
      );
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

  it('pin every action from another repository to a commit, with its release in a comment', async () => {
    const found = (await workflows()).flatMap(({ file, text }) => unpinnedActions(file, text));
    expect(found, 'pin as owner/repo@<commit sha> # vX.Y.Z').to.deep.equal([]);
    expect(
      unpinnedActions(
        'sample.yml',
        [
          '      - uses: actions/checkout@v5',
          '      - uses: actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09',
          '        uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0',
          '      - uses: ./actions/infra-plan',
        ].join('\n'),
      ),
    ).to.deep.equal([
      'sample.yml:1: - uses: actions/checkout@v5',
      'sample.yml:2: - uses: actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09',
    ]);
  });

  it('sign in as the identity of each job trust level, handing no secret to the infrastructure jobs', async () => {
    const all = await workflows();
    const stacks = all.find((w) => w.file === 'infra-stacks.yml')!;
    const clientIds = Object.values(stacks.jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.with?.['azure-client-id'])
      .map((step) => [step.if, step.with?.['azure-client-id'], step.with?.['azure-plan-client-id']]);
    expect(clientIds).to.deep.equal([
      ["inputs.command == 'plan'", gh('vars.AZURE_PLAN_CLIENT_ID'), undefined],
      ["inputs.command == 'apply'", gh('vars.AZURE_APPLY_CLIENT_ID'), gh('vars.AZURE_PLAN_CLIENT_ID')],
      ["inputs.command == 'drift'", gh('vars.AZURE_PLAN_CLIENT_ID'), undefined],
    ]);
    const apply = all.find((w) => w.file === 'infra-apply.yml')!;
    expect(
      Object.values(apply.jobs).map((job) => (job as { with?: Record<string, string> }).with),
    ).to.deep.equal([{ command: 'apply', stacks: gh('matrix.stack'), environment: 'poc' }]);
    for (const file of ['infra-plan.yml', 'infra-apply.yml', 'drift.yml']) {
      const jobs = Object.values(all.find((w) => w.file === file)!.jobs);
      expect(
        jobs.map((job) => job.secrets),
        `${file} hands secrets to the job`,
      ).to.deep.equal([undefined]);
    }
    const image = all.find((w) => w.file === 'image-publish.yml')!;
    const signingIn = Object.values(image.jobs).filter((job) =>
      JSON.stringify(job).includes('AZURE_IMAGE_CLIENT_ID'),
    );
    expect(signingIn.map((job) => job.environment)).to.deep.equal(['image']);
  });
});
