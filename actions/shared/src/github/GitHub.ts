import * as github from '@actions/github';

export type Octokit = ReturnType<typeof github.getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

/** The run as the runner describes it in its environment; GITHUB_API_URL is honoured by getOctokit. */
export interface RunContext {
  octokit: Octokit;
  repository: Repository;
  runUrl: string;
  eventName: string;
  payload: typeof github.context.payload;
  sha: string;
}

export function runContext(token: string): RunContext {
  if (!token) throw new Error('input github-token is empty: pass github.token or a token that can write PRs');
  const { context } = github;
  return {
    octokit: github.getOctokit(token),
    repository: context.repo,
    runUrl: `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`,
    eventName: context.eventName,
    payload: context.payload,
    sha: context.sha,
  };
}
