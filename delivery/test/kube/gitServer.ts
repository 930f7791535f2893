import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Git's smart HTTP protocol on 127.0.0.1, served by `git http-backend` (one CGI process per request): the
 * cluster's GitRepository needs an http(s) or ssh URL, as it would have GitHub's.
 */
export class GitServer {
  readonly #server: Server;
  readonly url: string;

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Serves every bare repository under `root` at `<url>/<name>.git`. */
  static async start(root: string): Promise<GitServer> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          ...process.env,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
          REMOTE_ADDR: '127.0.0.1',
        },
      });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let sentHead = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (sentHead) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        let status = 200;
        for (const line of head.subarray(0, end).toString().split('\r\n')) {
          const [name, ...rest] = line.split(':');
          const value = rest.join(':').trim();
          if (name?.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else if (name) res.setHeader(name, value);
        }
        res.writeHead(status);
        sentHead = true;
        res.write(head.subarray(end + 4));
      });
      cgi.on('close', () => res.end());
      cgi.on('error', () => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new GitServer(server);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** `git` in a working copy, with an author the test names; resolves with its output. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'user.name=ODP test', '-c', 'user.email=test@odp.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd },
  ).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`git ${args.join(' ')}: ${error.stderr?.trim() || error.message}`);
  });
  return stdout.trim();
}
