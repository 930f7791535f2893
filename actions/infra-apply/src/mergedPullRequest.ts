import type { RunContext } from '@odp/actions-shared';

export interface MergedPullRequest {
  number: number;
  /** The PR's last head commit: the one its reviewed plans were made for. */
  headSha: string;
}

/** The PR whose merge produced this push; a push that bypassed review has no reviewed plan to apply. */
export async function mergedPullRequest(context: RunContext): Promise<MergedPullRequest> {
  const { data } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    ...context.repository,
    commit_sha: context.sha,
  });
  const merged =
    data.find((pr) => pr.merged_at && pr.merge_commit_sha === context.sha) ?? data.find((pr) => pr.merged_at);
  if (!merged) {
    throw new Error(
      `commit ${context.sha} is not the merge of a pull request, so no plan was reviewed for it: change infrastructure through a PR`,
    );
  }
  return { number: merged.number, headSha: merged.head.sha };
}
