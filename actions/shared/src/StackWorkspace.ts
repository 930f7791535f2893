import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { type AzureLogin, preflightAzureOidc } from './AzureOidc.js';
import { type PlanIdentity, planIdentity } from './plan/PlanIdentity.js';
import { type PlanJson, parsePlanJson } from './plan/PlanJson.js';
import { type PlanSummary, summarizePlan } from './plan/PlanSummary.js';
import { type Finding, policyFindings } from './policy.js';
import type { StackPlan } from './render/renderPlanComment.js';
import { SecretMask } from './SecretMask.js';
import type { StackInputs } from './StackInputs.js';
import { backendType, configHash, listStacks, lockHash, type Stack } from './terraform/Stack.js';
import { type PlanOptions, Terraform } from './terraform/Terraform.js';

/** A stack after `terraform plan`: the plan file and everything derived from its JSON. */
export interface PlannedStack {
  stack: Stack;
  terraform: Terraform;
  planFile: string;
  plan: PlanJson;
  identity: PlanIdentity;
  summary: PlanSummary;
  findings: Finding[];
}

/**
 * Synthesizes the app and opens its stacks with the Terraform CLI, logged in to Azure when configured: plans
 * as the plan identity, applies as the apply identity (the same one unless `azure-plan-client-id` is given).
 */
export class StackWorkspace {
  private constructor(
    private readonly inputs: StackInputs,
    private readonly cli: { name: string; path: string },
    private readonly env: Record<string, string>,
    private readonly planEnv: Record<string, string>,
  ) {}

  static async open(inputs: StackInputs): Promise<StackWorkspace> {
    const cli = await Terraform.locate(inputs.terraform);
    const env = inputs.azure ? await preflightAzureOidc(inputs.azure) : {};
    const planEnv = inputs.planAzure ? await preflightAzureOidc(inputs.planAzure) : env;
    if (inputs.synthCommand) await synthesize(inputs.synthCommand, inputs.workingDirectory);
    return new StackWorkspace(inputs, cli, env, planEnv);
  }

  async stacks(): Promise<Stack[]> {
    return listStacks(this.inputs.stacksDir, this.inputs.stacks);
  }

  /** `init` (with OIDC settings for an azurerm backend: no secrets anywhere) and `validate`, as the plan identity. */
  async prepare(stack: Stack): Promise<Terraform> {
    const terraform = Terraform.inStack(this.cli, stack.name, stack.dir, this.planEnv);
    const backend = await backendType(stack);
    const azureBackend = backend === 'azurerm' ? azureBackendConfig(this.inputs.azure) : [];
    await terraform.init([...azureBackend, ...this.inputs.backendConfig]);
    await terraform.validate();
    return terraform;
  }

  /**
   * The plan as reviewers see it: its text and policy findings with every secret masked (and registered
   * with the runner, so the log masks them too).
   */
  async describe(planned: PlannedStack, runUrl: string, artifactName: string): Promise<StackPlan> {
    const mask = SecretMask.create([planned.plan], this.inputs.secretPatterns);
    for (const secret of mask.secrets) core.setSecret(secret);
    const planText = mask.apply(await planned.terraform.showText(planned.planFile));
    return {
      stack: planned.stack.name,
      summary: planned.summary,
      findings: planned.findings.map((f) => ({ ...f, message: mask.apply(f.message) })),
      identity: planned.identity,
      planText,
      runUrl,
      artifactName,
    };
  }

  /** The prepared stack's CLI signed in as the apply identity, for `terraform apply`. */
  applier(stack: Stack): Terraform {
    return Terraform.inStack(this.cli, stack.name, stack.dir, this.env);
  }

  /** A mask for what Terraform prints while applying `planFile`: its sensitive values and the configured patterns. */
  async secretMask(terraform: Terraform, planFile: string, stack: Stack): Promise<SecretMask> {
    const plan = parsePlanJson(await terraform.showJson(planFile), `the plan of stack ${stack.name}`);
    const mask = SecretMask.create([plan], this.inputs.secretPatterns);
    for (const secret of mask.secrets) core.setSecret(secret);
    return mask;
  }

  async plan(
    stack: Stack,
    terraform: Terraform,
    planFile: string,
    options: Omit<PlanOptions, 'lockTimeout' | 'lock'> = {},
  ): Promise<PlannedStack> {
    // Read before planning, for the comment's note of which state the plan saw.
    const state = await terraform.stateVersion();
    // Never locks: the plan identity may not write the state, and an apply refuses a plan whose state moved.
    await terraform.plan(planFile, { ...options, lock: false, lockTimeout: this.inputs.lockTimeout });
    const raw = await terraform.showJson(planFile);
    const plan = parsePlanJson(raw, `the plan of stack ${stack.name}`);
    const identity = planIdentity({
      stack: stack.name,
      plan,
      configHash: await configHash(stack),
      lockHash: await lockHash(stack),
      state,
    });
    return {
      stack,
      terraform,
      planFile,
      plan,
      identity,
      summary: summarizePlan(plan),
      findings: policyFindings(raw),
    };
  }
}

function azureBackendConfig(azure: AzureLogin | null): string[] {
  if (!azure) {
    throw new Error(
      'the stack uses the azurerm backend: set inputs azure-client-id, azure-tenant-id and azure-subscription-id',
    );
  }
  // Client, tenant and subscription come from the ARM_* environment set by the preflight.
  return ['use_oidc=true', 'use_azuread_auth=true'];
}

async function synthesize(command: string, cwd: string): Promise<void> {
  core.info(`Synthesizing: ${command}`);
  const { exitCode, stdout, stderr } = await exec.getExecOutput('sh', ['-c', command], {
    cwd,
    ignoreReturnCode: true,
    silent: true,
  });
  if (exitCode !== 0) {
    const detail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`synth-command \`${command}\` failed (exit ${exitCode}) in ${cwd}:\n${detail}`);
  }
}
