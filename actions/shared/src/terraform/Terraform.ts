import * as exec from '@actions/exec';
import * as io from '@actions/io';
import type { StateVersion } from '../plan/PlanIdentity.js';

export type TerraformPreference = 'terraform' | 'tofu' | 'auto';

export interface PlanOptions {
  lockTimeout: string;
  /** `-detailed-exitcode`: tells "no changes" from "changes" for drift checks. */
  detailedExitcode?: boolean;
  /** `-refresh-only`: what changed outside Terraform, without the configuration's changes. */
  refreshOnly?: boolean;
  /**
   * `false` plans with `-lock=false`: plans are made by an identity that may only read the state, and taking
   * the lock writes to it (a lease on the state blob). Applies take the lock and refuse a plan whose state moved.
   */
  lock?: boolean;
}

/** The Terraform (or OpenTofu) CLI, run in one stack's directory without prompts or colour. */
export class Terraform {
  private constructor(
    /** `terraform` or `tofu`, for messages. */
    readonly name: string,
    private readonly path: string,
    private readonly stack: string,
    private readonly cwd: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Finds the CLI on PATH; `auto` prefers terraform and falls back to tofu. */
  static async locate(preference: TerraformPreference): Promise<{ name: string; path: string }> {
    const candidates = preference === 'auto' ? ['terraform', 'tofu'] : [preference];
    for (const name of candidates) {
      const path = await io.which(name, false);
      if (path) return { name, path };
    }
    throw new Error(
      `${candidates.join(' or ')} is not on PATH: install it before this step (input terraform)`,
    );
  }

  static inStack(
    cli: { name: string; path: string },
    stack: string,
    cwd: string,
    env: Record<string, string>,
  ): Terraform {
    return new Terraform(cli.name, cli.path, stack, cwd, env);
  }

  async init(backendConfig: readonly string[]): Promise<void> {
    await this.run([
      'init',
      '-input=false',
      '-no-color',
      ...backendConfig.map((c) => `-backend-config=${c}`),
    ]);
  }

  async validate(): Promise<void> {
    await this.run(['validate', '-no-color']);
  }

  /** Writes the plan to `planFile`; returns whether it has changes when `detailedExitcode` is set. */
  async plan(planFile: string, options: PlanOptions): Promise<{ changes: boolean | null }> {
    const args = [
      'plan',
      '-input=false',
      '-no-color',
      `-lock-timeout=${options.lockTimeout}`,
      `-out=${planFile}`,
    ];
    if (options.detailedExitcode) args.push('-detailed-exitcode');
    if (options.refreshOnly) args.push('-refresh-only');
    if (options.lock === false) args.push('-lock=false');
    const { exitCode } = await this.run(args, options.detailedExitcode ? [0, 2] : [0]);
    return { changes: options.detailedExitcode ? exitCode === 2 : null };
  }

  async showJson(planFile: string): Promise<unknown> {
    const { stdout } = await this.run(['show', '-json', '-no-color', planFile]);
    try {
      return JSON.parse(stdout);
    } catch (error) {
      throw new Error(`${this.name} show -json for stack ${this.stack} printed no JSON: ${String(error)}`);
    }
  }

  async showText(planFile: string): Promise<string> {
    return (await this.run(['show', '-no-color', planFile])).stdout.trimEnd();
  }

  async apply(planFile: string, lockTimeout: string): Promise<string> {
    return (await this.run(['apply', '-input=false', '-no-color', `-lock-timeout=${lockTimeout}`, planFile]))
      .stdout;
  }

  /** The state's serial and lineage, or null when the stack has no state yet. */
  async stateVersion(): Promise<StateVersion | null> {
    const { stdout } = await this.run(['state', 'pull']);
    if (stdout.trim() === '') return null;
    const state = JSON.parse(stdout) as { serial?: unknown; lineage?: unknown };
    if (typeof state.serial !== 'number' || typeof state.lineage !== 'string') {
      throw new Error(`the state of stack ${this.stack} has no serial or lineage`);
    }
    return { serial: state.serial, lineage: state.lineage };
  }

  private async run(args: string[], okCodes: readonly number[] = [0]) {
    const result = await exec.getExecOutput(this.path, args, {
      cwd: this.cwd,
      env: { ...processEnv(), TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...this.env },
      ignoreReturnCode: true,
      silent: true,
    });
    if (!okCodes.includes(result.exitCode)) {
      const detail = `${result.stdout.trim()}\n${result.stderr.trim()}`
        .trim()
        .split('\n')
        .slice(-40)
        .join('\n');
      throw new Error(
        `${this.name} ${args
          .filter((a) => !a.startsWith('-'))
          .slice(0, 2)
          .join(' ')} failed for stack ${this.stack} (exit ${result.exitCode}) in ${this.cwd}:\n${detail}`,
      );
    }
    return result;
  }
}

function processEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}
