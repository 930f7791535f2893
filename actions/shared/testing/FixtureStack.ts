import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { WORKFLOW_TOKEN } from './GitHubStandIn.js';

const run = promisify(execFile);

/** The CLI the fixture runs directly: terraform where installed, else OpenTofu (see `tofu` in .ci/tools.yaml). */
export const FIXTURE_CLI = process.env.ODP_TERRAFORM ?? (onPath('terraform') ? 'terraform' : 'tofu');

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, name)));
}

/** A `terraform_data` resource of the fixture: `input` changes in place, `triggers_replace` forces a replacement. */
export interface FixtureResource {
  input: unknown;
  triggers_replace?: unknown;
}

export const STACK = 'app';
export const SECRET_ENV = 'TF_VAR_token';

/**
 * A repository checkout with one stack of `terraform_data` resources (Terraform's built-in provider: no
 * download) and a local backend. Its "synth" copies the declared JSON into the stacks directory, as
 * `cdktf synth` writes `cdktf.out/stacks/<stack>/cdk.tf.json`.
 */
export class FixtureStack {
  readonly synthCommand =
    `mkdir -p out/stacks/${STACK} && cp src/${STACK}.tf.json out/stacks/${STACK}/cdk.tf.json`;
  readonly stacksDir = 'out/stacks';

  private constructor(readonly workDir: string) {}

  static async create(): Promise<FixtureStack> {
    const workDir = await mkdtemp(join(tmpdir(), 'odp-fixture-'));
    await mkdir(join(workDir, 'src'));
    await mkdir(join(workDir, 'state'));
    return new FixtureStack(workDir);
  }

  get stateFile(): string {
    return join(this.workDir, 'state', `${STACK}.tfstate`);
  }

  get stackDir(): string {
    return join(this.workDir, this.stacksDir, STACK);
  }

  /** Declares the stack's resources; `terraform_data.secret` takes the sensitive variable `token`. */
  async declare(resources: Record<string, FixtureResource>): Promise<void> {
    const config = {
      terraform: { backend: { local: { path: this.stateFile } } },
      variable: { token: { type: 'string', sensitive: true } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JS template
      resource: { terraform_data: { ...resources, secret: { input: '${var.token}' } } },
    };
    await writeFile(join(this.workDir, 'src', `${STACK}.tf.json`), `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Synthesizes and applies the declared resources straight away: an earlier merge, or a change made outside the PR. */
  async applyDirectly(secret: string): Promise<void> {
    await run('sh', ['-c', this.synthCommand], { cwd: this.workDir });
    const env = { ...process.env, [SECRET_ENV]: secret, TF_IN_AUTOMATION: '1' };
    await run(FIXTURE_CLI, ['init', '-input=false', '-no-color'], { cwd: this.stackDir, env });
    await run(FIXTURE_CLI, ['apply', '-auto-approve', '-input=false', '-no-color'], {
      cwd: this.stackDir,
      env,
    });
  }

  /** The state as Terraform holds it: serial and each resource's `input` value. */
  async state(): Promise<{ serial: number; inputs: Record<string, unknown> }> {
    await run('sh', ['-c', this.synthCommand], { cwd: this.workDir });
    await run(FIXTURE_CLI, ['init', '-input=false', '-no-color'], { cwd: this.stackDir });
    const { stdout } = await run(FIXTURE_CLI, ['state', 'pull'], { cwd: this.stackDir });
    const state = JSON.parse(stdout) as {
      serial: number;
      resources: Array<{
        type: string;
        name: string;
        instances: Array<{ attributes: { input: { value: unknown } } }>;
      }>;
    };
    const inputs = Object.fromEntries(
      state.resources.map((r) => [`${r.type}.${r.name}`, r.instances[0]?.attributes.input.value]),
    );
    return { serial: state.serial, inputs };
  }

  /** Writes the same state back with a higher serial, as an apply that changed nothing in this stack does. */
  async bumpSerial(): Promise<void> {
    const { stdout } = await run(FIXTURE_CLI, ['state', 'pull'], { cwd: this.stackDir });
    const state = JSON.parse(stdout) as { serial: number };
    state.serial += 1;
    const file = join(this.workDir, 'bumped.tfstate');
    await writeFile(file, JSON.stringify(state));
    await run(FIXTURE_CLI, ['state', 'push', file], { cwd: this.stackDir });
  }

  /** Commits the declared sources (the repository is created on first use); returns the commit. */
  async commit(message: string): Promise<string> {
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=odp', '-c', 'user.email=odp@example.com', ...args], { cwd: this.workDir });
    if (!existsSync(join(this.workDir, '.git'))) {
      await git('init', '-q', '-b', 'main');
      await writeFile(join(this.workDir, '.gitignore'), 'out/\nstate/\nbumped.tfstate\n');
    }
    await git('add', '-A');
    await git('commit', '-q', '--allow-empty', '-m', message);
    return (await git('rev-parse', 'HEAD')).stdout.trim();
  }

  /** The inputs a workflow gives the actions for this stack. */
  actionInputs(): Record<string, string> {
    return {
      'synth-command': this.synthCommand,
      'stacks-dir': this.stacksDir,
      terraform: 'auto',
      'github-token': WORKFLOW_TOKEN,
      'lock-timeout': '30s',
    };
  }

  async remove(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }
}
