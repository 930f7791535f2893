import { execFile } from 'node:child_process';
import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { scratchDir } from './synthesized.js';

// The runner image's two commands, run as the Container Apps job runs them, against a local stand-in for
// GitHub's App and runner endpoints that checks the App's token the way GitHub does (RS256, its public key).
const run = promisify(execFile);
const commands = fileURLToPath(new URL('../runner/', import.meta.url));
const APP_ID = '1234567';
const INSTALLATION = '76543210';
const INSTALLATION_TOKEN = 'ghs_installationTokenStandIn';
const JIT = 'eyJydW5uZXIiOiJvZHAifQ==';

interface Registration {
  name: string;
  labels: string[];
  runner_group_id: number;
}

class GitHubApps {
  readonly registrations: Registration[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly appKey: KeyObject) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        const reply = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (req.method === 'POST' && req.url === `/app/installations/${INSTALLATION}/access_tokens`) {
          const problem = this.jwtProblem(bearer);
          return problem ? reply(401, { message: problem }) : reply(201, { token: INSTALLATION_TOKEN });
        }
        if (
          req.method === 'POST' &&
          req.url === '/repos/jkl/open-data-platform/actions/runners/generate-jitconfig'
        ) {
          if (bearer !== INSTALLATION_TOKEN) return reply(401, { message: 'Bad credentials' });
          this.registrations.push(JSON.parse(body) as Registration);
          return reply(201, { runner: { id: 23 }, encoded_jit_config: JIT });
        }
        reply(404, { message: 'Not Found' });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Why GitHub would refuse this App token, or null. */
  private jwtProblem(jwt: string): string | null {
    const [header, claims, signature] = jwt.split('.');
    if (!header || !claims || !signature) return 'A JSON web token could not be decoded';
    const verified = createVerify('RSA-SHA256')
      .update(`${header}.${claims}`)
      .verify(this.appKey, Buffer.from(signature, 'base64url'));
    if (!verified) return 'the signature does not match the App public key';
    const {
      iss,
      iat = 0,
      exp = 0,
    } = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as {
      iss?: number;
      iat?: number;
      exp?: number;
    };
    const now = Date.now() / 1000;
    if (String(iss) !== APP_ID) return 'wrong issuer';
    if (!(iat <= now && exp > now && exp - iat <= 600))
      return "'Expiration time' claim ('exp') is too far in the future";
    return null;
  }
}

const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('the runner image: a just-in-time registration, and no key for job steps', () => {
  let github: GitHubApps;
  let dir: string;
  const app = keyPair();
  const pem = app.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeEach(async () => {
    dir = scratchDir('odp-runner-');
    github = new GitHubApps(app.publicKey);
    await github.start();
  });
  afterEach(() => github.stop());

  const jitconfig = (privateKey = pem) =>
    run(join(commands, 'odp-runner-jitconfig'), [], {
      env: {
        PATH: process.env.PATH,
        GITHUB_API_URL: github.url,
        GITHUB_APP_ID: APP_ID,
        GITHUB_APP_INSTALLATION_ID: INSTALLATION,
        GITHUB_APP_PRIVATE_KEY: privateKey,
        GITHUB_REPOSITORY: 'jkl/open-data-platform',
        RUNNER_LABELS: 'odp-private',
        RUNNER_JITCONFIG_FILE: join(dir, 'config'),
      },
    });

  it("the init container trades the App's key for one runner's configuration, readable by its owner only", async () => {
    const { stdout } = await jitconfig();
    expect(stdout).to.match(/registered for one job with labels odp-private/);
    expect(await readFile(join(dir, 'config'), 'utf8')).to.equal(JIT);
    expect((await stat(join(dir, 'config'))).mode & 0o777).to.equal(0o600);
    expect(github.registrations).to.have.length(1);
    expect(github.registrations[0]).to.include({ runner_group_id: 1 });
    expect(github.registrations[0]?.labels).to.deep.equal(['odp-private']);
  });

  it('writes nothing and says why when GitHub refuses the App token', async () => {
    const other = keyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = await jitconfig(other).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).to.equal(1);
    expect(refused?.stderr).to.include(`POST /app/installations/${INSTALLATION}/access_tokens answered 401`);
    expect(existsSync(join(dir, 'config'))).to.equal(false);
    expect(github.registrations).to.deep.equal([]);
  });

  it('the runner container removes the configuration before the runner starts any job', async () => {
    await jitconfig();
    // A stand-in for the runner's run.sh: it reports its arguments and whether the file is still there.
    await writeFile(
      join(dir, 'run.sh'),
      `#!/bin/sh\necho "args: $*"\n[ -e "${join(dir, 'config')}" ] && echo "file still there" || echo "file gone"\n`,
    );
    await chmod(join(dir, 'run.sh'), 0o755);
    const { stdout } = await run(join(commands, 'odp-runner'), [], {
      cwd: dir,
      env: { PATH: process.env.PATH, RUNNER_JITCONFIG_FILE: join(dir, 'config') },
    });
    expect(stdout).to.equal(`args: --jitconfig ${JIT}\nfile gone\n`);
  });
});
