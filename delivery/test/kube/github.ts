import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A commit status as GitHub's REST API receives it. */
export interface CommitStatus {
  repository: string;
  sha: string;
  state: string;
  context: string;
  description: string;
}

/**
 * A local HTTP server standing in for GitHub Enterprise's REST API (`/api/v3`), as far as Flux's github
 * notification provider uses it: listing a commit's statuses and creating one. It records what it receives.
 */
export class GitHubStandIn {
  readonly statuses: CommitStatus[] = [];
  readonly #server: Server;
  readonly url: string;

  private constructor(server: Server, statuses: CommitStatus[]) {
    this.#server = server;
    this.statuses = statuses;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(): Promise<GitHubStandIn> {
    const statuses: CommitStatus[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const listed = /^\/api\/v3\/repos\/([^/]+\/[^/]+)\/commits\/([0-9a-f]+)\/statuses/.exec(
          req.url ?? '',
        );
        const created = /^\/api\/v3\/repos\/([^/]+\/[^/]+)\/statuses\/([0-9a-f]+)$/.exec(req.url ?? '');
        res.setHeader('Content-Type', 'application/json');
        if (req.method === 'GET' && listed) {
          res.end(JSON.stringify(statuses.filter((s) => s.repository === listed[1] && s.sha === listed[2])));
        } else if (req.method === 'POST' && created) {
          const status = JSON.parse(body) as Omit<CommitStatus, 'repository' | 'sha'>;
          statuses.push({ ...status, repository: created[1]!, sha: created[2]! });
          res.writeHead(201).end(JSON.stringify({ id: statuses.length, ...status }));
        } else {
          res.writeHead(404).end(JSON.stringify({ message: 'Not Found' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new GitHubStandIn(server, statuses);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
