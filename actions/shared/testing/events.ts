import { REPOSITORY } from './runAction.js';

const repository = {
  id: 812345678,
  node_id: 'R_kgDOMGx1Tg',
  name: REPOSITORY.repo,
  full_name: `${REPOSITORY.owner}/${REPOSITORY.repo}`,
  private: false,
  owner: { login: REPOSITORY.owner, id: 1234567, type: 'Organization' },
  html_url: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.repo}`,
  default_branch: 'main',
};

/** A `pull_request` webhook payload with the fields GitHub sends (trimmed of URLs nothing reads). */
export function pullRequestEvent(pr: {
  number: number;
  headSha: string;
  baseSha: string;
  action: 'opened' | 'synchronize';
}) {
  return {
    action: pr.action,
    number: pr.number,
    ...(pr.action === 'synchronize' ? { before: '0'.repeat(40), after: pr.headSha } : {}),
    pull_request: {
      id: 2100000000 + pr.number,
      number: pr.number,
      state: 'open',
      locked: false,
      title: 'Add the lake storage account',
      user: { login: 'octocat', id: 583231, type: 'User' },
      body: 'Adds storage for the lake.',
      draft: false,
      merged: false,
      html_url: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.repo}/pull/${pr.number}`,
      head: {
        label: `${REPOSITORY.owner}:infra/lake-storage`,
        ref: 'infra/lake-storage',
        sha: pr.headSha,
        repo: repository,
      },
      base: { label: `${REPOSITORY.owner}:main`, ref: 'main', sha: pr.baseSha, repo: repository },
      author_association: 'MEMBER',
    },
    repository,
    sender: { login: 'octocat', id: 583231, type: 'User' },
  };
}

/** A `push` webhook payload for a merge into main. */
export function pushEvent(push: { before: string; after: string }) {
  return {
    ref: 'refs/heads/main',
    before: push.before,
    after: push.after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.repo}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
    commits: [],
    head_commit: { id: push.after, message: 'Merge pull request #7 from odp-example/infra/lake-storage' },
    repository,
    pusher: { name: 'octocat' },
    sender: { login: 'octocat', id: 583231, type: 'User' },
  };
}
