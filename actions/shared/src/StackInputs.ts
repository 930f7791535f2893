import { resolve } from 'node:path';
import * as core from '@actions/core';
import type { AzureLogin } from './AzureOidc.js';
import { WORKFLOW_BOT } from './github/IssueComments.js';
import type { TerraformPreference } from './terraform/Terraform.js';

/** The inputs infra-plan and infra-apply share (documented in each action.yml). */
export interface StackInputs {
  terraform: TerraformPreference;
  workingDirectory: string;
  synthCommand: string;
  stacksDir: string;
  stacks: string[];
  backendConfig: string[];
  lockTimeout: string;
  secretPatterns: string[];
  githubToken: string;
  /** Who writes the plan comments: only that author's comments are read back. */
  commentAuthor: string;
  /** Null when the stacks do not use Azure (no OIDC preflight). */
  azure: AzureLogin | null;
  /**
   * The read-only identity plans are made as, when it is not `azure` (infra-apply plans as the same identity
   * the pull request did, so both plans see the same, then applies as `azure`).
   */
  planAzure: AzureLogin | null;
}

export function readStackInputs(): StackInputs {
  const terraform = core.getInput('terraform') || 'auto';
  if (terraform !== 'terraform' && terraform !== 'tofu' && terraform !== 'auto') {
    throw new Error(`input terraform must be terraform, tofu or auto, not ${terraform}`);
  }
  const workingDirectory = resolve(core.getInput('working-directory') || '.');
  const lockTimeout = core.getInput('lock-timeout') || '10m';
  if (!/^\d+[smh]$/.test(lockTimeout))
    throw new Error(`input lock-timeout must look like 30s, 10m or 1h, not ${lockTimeout}`);
  const azure = readAzureLogin();
  const planClientId = core.getInput('azure-plan-client-id');
  if (planClientId !== '' && !azure) {
    throw new Error(
      'input azure-plan-client-id needs azure-client-id, azure-tenant-id and azure-subscription-id',
    );
  }
  return {
    terraform,
    workingDirectory,
    synthCommand: core.getInput('synth-command'),
    stacksDir: resolve(workingDirectory, core.getInput('stacks-dir', { required: true })),
    stacks: core
      .getInput('stacks')
      .split(/[\s,]+/)
      .filter((s) => s !== ''),
    backendConfig: core.getMultilineInput('backend-config'),
    lockTimeout,
    secretPatterns: core.getMultilineInput('secret-patterns'),
    githubToken: core.getInput('github-token', { required: true }),
    commentAuthor: core.getInput('comment-author') || WORKFLOW_BOT,
    azure,
    planAzure: azure && planClientId !== '' ? { ...azure, clientId: planClientId } : null,
  };
}

function readAzureLogin(): AzureLogin | null {
  const clientId = core.getInput('azure-client-id');
  const tenantId = core.getInput('azure-tenant-id');
  const subscriptionId = core.getInput('azure-subscription-id');
  const given = [clientId, tenantId, subscriptionId].filter((v) => v !== '').length;
  if (given === 0) return null;
  if (given < 3) {
    throw new Error(
      'inputs azure-client-id, azure-tenant-id and azure-subscription-id go together: set all three or none',
    );
  }
  return { clientId, tenantId, subscriptionId };
}
