import type { Octokit, Repository } from './GitHub.js';

export const DRIFT_LABEL = 'infra-drift';

export function driftMarker(stack: string): string {
  return `<!-- odp:drift stack=${stack} -->`;
}

/** One issue per stack that tracks drift: opened (or reopened) while it drifts, closed once it does not. */
export class DriftIssues {
  constructor(
    private readonly octokit: Octokit,
    private readonly repository: Repository,
  ) {}

  async report(stack: string, drifted: boolean, body: string, runUrl: string): Promise<string> {
    const marker = driftMarker(stack);
    const issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
      ...this.repository,
      labels: DRIFT_LABEL,
      state: 'all',
      per_page: 100,
    });
    const existing = issues
      .filter((i) => i.body?.includes(marker))
      .sort((a, b) => (a.state === 'open' ? -1 : 0) - (b.state === 'open' ? -1 : 0))[0];
    if (!drifted) {
      if (existing?.state !== 'open') return 'no drift';
      await this.octokit.rest.issues.createComment({
        ...this.repository,
        issue_number: existing.number,
        body: `No drift any more in stack \`${stack}\` ([run](${runUrl})). Closing.`,
      });
      await this.octokit.rest.issues.update({
        ...this.repository,
        issue_number: existing.number,
        state: 'closed',
      });
      return `closed #${existing.number}`;
    }
    const title = `Infrastructure drift in stack ${stack}`;
    if (existing) {
      await this.octokit.rest.issues.update({
        ...this.repository,
        issue_number: existing.number,
        title,
        body,
        state: 'open',
      });
      return `updated #${existing.number}`;
    }
    const { data } = await this.octokit.rest.issues.create({
      ...this.repository,
      title,
      body,
      labels: [DRIFT_LABEL],
    });
    return `opened #${data.number}`;
  }
}
