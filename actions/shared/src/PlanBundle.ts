import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { Octokit, Repository } from './github/GitHub.js';
import type { PlanIdentity } from './plan/PlanIdentity.js';

/** The plan file, what identifies it and its masked text, moved from the plan run to the apply run. */
export interface PlanBundle {
  identity: PlanIdentity;
  /** Path of the binary plan, ready for `terraform apply`. */
  planFile: string;
}

const MAGIC = Buffer.from('ODPPLAN1');
const FILES = { plan: 'tfplan.enc', identity: 'identity.json', text: 'plan.txt' } as const;

/** One artifact per stack and PR; apply picks the one made for the PR's final head commit. */
export function planArtifactName(stack: string, pullRequest: number): string {
  return `infra-plan-${stack}-pr${pullRequest}`;
}

/**
 * Uploads the bundle as a workflow artifact. The binary plan holds every value in clear text (sensitive ones
 * too), so it is encrypted with `key` (AES-256-GCM) before it leaves the runner.
 */
export async function uploadPlanBundle(
  name: string,
  workDir: string,
  bundle: { identity: PlanIdentity; planFile: string; planText: string },
  key: string,
): Promise<number> {
  const dir = join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FILES.plan), encrypt(await readFile(bundle.planFile), key));
  await writeFile(join(dir, FILES.identity), `${JSON.stringify(bundle.identity, null, 2)}\n`);
  await writeFile(join(dir, FILES.text), bundle.planText);
  const files = Object.values(FILES).map((f) => join(dir, f));
  const { id } = await new DefaultArtifactClient().uploadArtifact(name, files, dir, { retentionDays: 30 });
  if (id === undefined) throw new Error(`artifact ${name} was uploaded but the service returned no id`);
  return id;
}

/** Finds the newest bundle named `name` made for `headSha` (any workflow run) and downloads it. */
export async function downloadPlanBundle(
  octokit: Octokit,
  repository: Repository,
  token: string,
  name: string,
  headSha: string,
  workDir: string,
  key: string,
): Promise<PlanBundle | null> {
  const { data } = await octokit.rest.actions.listArtifactsForRepo({ ...repository, name, per_page: 100 });
  const artifact = data.artifacts
    .filter((a) => !a.expired && a.workflow_run?.head_sha === headSha)
    .sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? ''))[0];
  if (!artifact?.workflow_run?.id) return null;
  const dir = join(workDir, name);
  await new DefaultArtifactClient().downloadArtifact(artifact.id, {
    path: dir,
    findBy: {
      token,
      workflowRunId: artifact.workflow_run.id,
      repositoryOwner: repository.owner,
      repositoryName: repository.repo,
    },
  });
  const planFile = join(dir, 'tfplan');
  await writeFile(planFile, decrypt(await readFile(join(dir, FILES.plan)), key, name));
  const identity = JSON.parse(await readFile(join(dir, FILES.identity), 'utf8')) as PlanIdentity;
  return { identity, planFile };
}

function keyBytes(key: string): Buffer {
  if (key.length < 16)
    throw new Error('plan-encryption-key must be at least 16 characters (use a random secret)');
  return createHash('sha256').update(`odp-plan-bundle:${key}`).digest();
}

function encrypt(plain: Buffer, key: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
}

function decrypt(sealed: Buffer, key: string, name: string): Buffer {
  if (!sealed.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error(`artifact ${name} holds no sealed plan file`);
  const iv = sealed.subarray(MAGIC.length, MAGIC.length + 12);
  const tag = sealed.subarray(MAGIC.length + 12, MAGIC.length + 28);
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(MAGIC.length + 28)), decipher.final()]);
  } catch {
    throw new Error(
      `the plan file in artifact ${name} cannot be decrypted: plan-encryption-key differs from the plan's, or the file was altered`,
    );
  }
}
