import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { Octokit, Repository } from './github/GitHub.js';
import type { PlanIdentity } from './plan/PlanIdentity.js';

const FILES = { identity: 'identity.json', text: 'plan.txt' } as const;

/** One artifact per stack and PR; the newest made for the PR's final head commit is the one that counts. */
export function planArtifactName(stack: string, pullRequest: number): string {
  return `infra-plan-${stack}-pr${pullRequest}`;
}

/**
 * Uploads what a PR's plan looked like: its identity (fingerprint and per-resource digests) and its masked
 * text. No binary plan leaves the runner: it holds sensitive values in clear text, and the apply job plans
 * again in its own context rather than trust a file a pull request run produced.
 */
export async function uploadPlanArtifact(
  name: string,
  workDir: string,
  plan: { identity: PlanIdentity; planText: string },
): Promise<number> {
  const dir = join(workDir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, FILES.identity), `${JSON.stringify(plan.identity, null, 2)}\n`);
  await writeFile(join(dir, FILES.text), plan.planText);
  const files = Object.values(FILES).map((f) => join(dir, f));
  const { id } = await new DefaultArtifactClient().uploadArtifact(name, files, dir, { retentionDays: 30 });
  if (id === undefined) throw new Error(`artifact ${name} was uploaded but the service returned no id`);
  return id;
}

/**
 * The plan identity in the newest artifact named `name` made for `headSha`, or null. A pull request run wrote
 * it, so it only ever explains a refusal resource by resource; it never decides what is applied.
 */
export async function downloadPlanIdentity(
  octokit: Octokit,
  repository: Repository,
  token: string,
  name: string,
  headSha: string,
  workDir: string,
): Promise<PlanIdentity | null> {
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
  return JSON.parse(await readFile(join(dir, FILES.identity), 'utf8')) as PlanIdentity;
}
