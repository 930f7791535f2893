import type { Octokit, Repository } from './GitHub.js';

export interface Comment {
  id: number;
  body: string;
}

/** The login GitHub shows for comments made with a workflow's `GITHUB_TOKEN`. */
export const WORKFLOW_BOT = 'github-actions[bot]';

/**
 * The comments one author (the workflow's bot) wrote on one PR (or issue); a comment is found again by the
 * hidden marker it starts with. Anyone can write a marker, so comments by anyone else never count.
 */
export class IssueComments {
  constructor(
    private readonly octokit: Octokit,
    private readonly repository: Repository,
    private readonly issueNumber: number,
    private readonly author: string,
  ) {}

  async find(marker: string): Promise<Comment | null> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repository,
      issue_number: this.issueNumber,
      per_page: 100,
    });
    const found = comments.find((c) => c.user?.login === this.author && c.body?.includes(marker));
    return found ? { id: found.id, body: found.body ?? '' } : null;
  }

  /** Updates the marked comment in place, or creates it: one comment per marker, never one per push. */
  async upsert(marker: string, body: string): Promise<Comment & { created: boolean }> {
    const existing = await this.find(marker);
    if (existing) {
      await this.update(existing.id, body);
      return { id: existing.id, body, created: false };
    }
    const { data } = await this.octokit.rest.issues.createComment({
      ...this.repository,
      issue_number: this.issueNumber,
      body,
    });
    return { id: data.id, body, created: true };
  }

  async update(id: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ ...this.repository, comment_id: id, body });
  }
}
