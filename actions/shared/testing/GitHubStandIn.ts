import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WORKFLOW_BOT } from '../src/github/IssueComments.js';

/** A REST call the stand-in received, for assertions on what an action did. */
export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface StoredComment {
  id: number;
  body: string;
  /** The login of whoever wrote it: GitHub shows it as `user.login`. */
  author: string;
}

/** The token the fixture gives the actions as `github-token`; GitHub names its comments' author WORKFLOW_BOT. */
export const WORKFLOW_TOKEN = 'ghs_standInToken';

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

interface StoredArtifact {
  id: number;
  name: string;
  runId: number;
  headSha: string;
  createdAt: string;
  zip: Buffer;
}

interface PullRequestRecord {
  number: number;
  headSha: string;
  mergeCommitSha: string;
}

/** What the artifact service knows about a workflow run, keyed by the backend id in ACTIONS_RUNTIME_TOKEN. */
interface RunRecord {
  runId: number;
  headSha: string;
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';

/**
 * A stand-in for GitHub on 127.0.0.1, for end-to-end tests of the bundled actions: the REST endpoints the
 * actions call (issue comments, issues, PRs of a commit, artifacts) and a stand-in for the artifact
 * service the runner provides (its Twirp API and the blob storage it signs URLs for). It records every call.
 */
export class GitHubStandIn {
  readonly calls: RecordedCall[] = [];
  readonly comments = new Map<number, StoredComment[]>();
  readonly issues: StoredIssue[] = [];
  private readonly artifacts: StoredArtifact[] = [];
  private readonly pulls = new Map<string, PullRequestRecord>();
  private readonly runs = new Map<string, RunRecord>();
  private readonly uploads = new Map<string, { blocks: Map<string, Buffer>; blob: Buffer | null }>();
  private readonly logins = new Map<string, string>([[WORKFLOW_TOKEN, WORKFLOW_BOT]]);
  private nextId = 1000;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  /** Declares a workflow run, so artifacts it uploads are listed with its id and head commit. */
  registerRun(backendId: string, run: RunRecord): void {
    this.runs.set(backendId, run);
  }

  /** Declares that `mergeCommitSha` is the merge of PR `number` whose last head commit is `headSha`. */
  registerMerge(pr: PullRequestRecord): void {
    this.pulls.set(pr.mergeCommitSha, pr);
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.get(issue) ?? [];
  }

  /** Lets requests with `token` act as `login` (the workflow's token acts as its bot). */
  acceptToken(token: string, login: string): void {
    this.logins.set(token, login);
  }

  /** A comment someone other than the workflow wrote, as anyone with access to a PR can. */
  commentAs(issue: number, author: string, body: string): StoredComment {
    const comment = { id: this.nextId++, body, author };
    this.comments.set(issue, [...this.commentsOn(issue), comment]);
    return comment;
  }

  artifactNames(): string[] {
    return this.artifacts.map((a) => a.name);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    const body =
      isJson && raw.length > 0
        ? JSON.parse(raw.toString('utf8'))
        : raw.length > 0
          ? `<${raw.length} bytes>`
          : null;
    this.calls.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body });
    const route = `${req.method} ${url.pathname}`;
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const login = token === undefined ? undefined : this.logins.get(token);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };

    const m1 = /^GET \/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(route);
    if (m1) {
      const page = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const all = this.commentsOn(Number(m1[1]));
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const next =
        page * perPage < all.length
          ? { link: `<${this.url}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` }
          : {};
      return json(
        200,
        slice.map((c) => ({
          id: c.id,
          body: c.body,
          user: { login: c.author, type: c.author.endsWith('[bot]') ? 'Bot' : 'User' },
        })),
        next,
      );
    }
    const m2 = /^POST \/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(route);
    if (m2) {
      if (!login) return json(401, { message: 'Bad credentials' });
      return json(201, this.commentAs(Number(m2[1]), login, (body as { body: string }).body));
    }
    const m3 = /^PATCH \/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(route);
    if (m3) {
      const id = Number(m3[1]);
      const comment = [...this.comments.values()].flat().find((c) => c.id === id);
      if (!comment) return json(404, { message: 'Not Found' });
      // As on GitHub: a token edits only the comments its own login wrote.
      if (comment.author !== login) return json(403, { message: 'Resource not accessible by integration' });
      comment.body = (body as { body: string }).body;
      return json(200, comment);
    }
    const m4 = /^GET \/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/pulls$/.exec(route);
    if (m4) {
      const pr = this.pulls.get(m4[1] ?? '');
      return json(
        200,
        pr
          ? [
              {
                number: pr.number,
                merged_at: '2026-11-23T12:00:00Z',
                merge_commit_sha: pr.mergeCommitSha,
                head: { sha: pr.headSha },
              },
            ]
          : [],
      );
    }
    if (route.match(/^GET \/repos\/[^/]+\/[^/]+\/issues$/)) {
      const label = url.searchParams.get('labels');
      const picked = this.issues.filter((i) => !label || i.labels.includes(label));
      return json(
        200,
        picked.map((i) => ({ ...i, labels: i.labels.map((name) => ({ name })) })),
      );
    }
    if (route.match(/^POST \/repos\/[^/]+\/[^/]+\/issues$/)) {
      const input = body as { title: string; body: string; labels?: string[] };
      const issue: StoredIssue = {
        number: this.nextId++,
        title: input.title,
        body: input.body,
        state: 'open',
        labels: input.labels ?? [],
      };
      this.issues.push(issue);
      return json(201, issue);
    }
    const m5 = /^PATCH \/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(route);
    if (m5) {
      const issue = this.issues.find((i) => i.number === Number(m5[1]));
      if (!issue) return json(404, { message: 'Not Found' });
      Object.assign(issue, body);
      return json(200, issue);
    }
    if (route.match(/^GET \/repos\/[^/]+\/[^/]+\/actions\/artifacts$/)) {
      const name = url.searchParams.get('name');
      const picked = this.artifacts.filter((a) => !name || a.name === name).reverse();
      return json(200, { total_count: picked.length, artifacts: picked.map((a) => this.describe(a)) });
    }
    const m6 = /^GET \/repos\/[^/]+\/[^/]+\/actions\/artifacts\/(\d+)\/zip$/.exec(route);
    if (m6) {
      return json(302, {}, { location: `${this.url}/blobs/artifact-${m6[1]}.zip?sig=stand-in` });
    }
    const m7 = /^GET \/blobs\/artifact-(\d+)\.zip$/.exec(route);
    if (m7) {
      const artifact = this.artifacts.find((a) => a.id === Number(m7[1]));
      if (!artifact) return json(404, { message: 'BlobNotFound' });
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': String(artifact.zip.length),
      });
      res.end(artifact.zip);
      return;
    }
    if (route === `POST ${TWIRP}CreateArtifact`) {
      const key = uploadKey(body);
      this.uploads.set(key, { blocks: new Map(), blob: null });
      return json(200, {
        ok: true,
        signedUploadUrl: `${this.url}/upload/${encodeURIComponent(key)}?sig=stand-in`,
      });
    }
    const m8 = /^PUT \/upload\/(.+)$/.exec(route);
    if (m8) {
      const upload = this.uploads.get(decodeURIComponent(m8[1] ?? ''));
      if (!upload) return json(404, { message: 'ContainerNotFound' });
      const comp = url.searchParams.get('comp');
      if (comp === 'block') upload.blocks.set(url.searchParams.get('blockid') ?? '', raw);
      else if (comp === 'blocklist') {
        const ids = [...raw.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map(
          (x) => x[1] ?? '',
        );
        upload.blob = Buffer.concat(ids.map((id) => upload.blocks.get(id) ?? Buffer.alloc(0)));
      } else upload.blob = raw;
      res.writeHead(201, {
        'x-ms-request-id': 'stand-in',
        etag: '"stand-in"',
        'last-modified': new Date().toUTCString(),
      });
      res.end();
      return;
    }
    if (route === `POST ${TWIRP}FinalizeArtifact`) {
      const { name, runBackendId } = twirpArtifact(body);
      const upload = this.uploads.get(uploadKey(body));
      const run = this.runs.get(runBackendId);
      if (!upload?.blob || !run) return json(404, { code: 'not_found', msg: `no upload or run for ${name}` });
      const artifact: StoredArtifact = {
        id: this.nextId++,
        name,
        runId: run.runId,
        headSha: run.headSha,
        createdAt: new Date(Date.now() + this.artifacts.length).toISOString(),
        zip: upload.blob,
      };
      this.artifacts.push(artifact);
      return json(200, { ok: true, artifactId: String(artifact.id) });
    }
    json(404, { message: `Not Found (stand-in has no route ${route})` });
  }

  private describe(a: StoredArtifact) {
    return {
      id: a.id,
      name: a.name,
      size_in_bytes: a.zip.length,
      created_at: a.createdAt,
      expired: false,
      workflow_run: { id: a.runId, head_sha: a.headSha },
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Twirp JSON may carry protobuf field names (snake_case) or their JSON names (camelCase). */
function twirpArtifact(body: unknown): { name: string; runBackendId: string } {
  const fields = body as Record<string, string | undefined>;
  return {
    name: fields.name ?? '',
    runBackendId: fields.workflow_run_backend_id ?? fields.workflowRunBackendId ?? '',
  };
}

function uploadKey(body: unknown): string {
  const { name, runBackendId } = twirpArtifact(body);
  return `${runBackendId}/${name}`;
}
