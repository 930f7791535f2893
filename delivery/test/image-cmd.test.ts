import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { readCompose, serviceEnvironment } from '../src/compose.js';
import { type ImageContract, readImageContract } from '../src/dockerfile.js';
import { repositoryRoot } from '../src/repository.js';

/** The CMD's `node` is the one running these tests: the image ships Node 24, and so does .ci/node24.sh. */
const nodeHome = path.dirname(path.dirname(process.execPath));
const nodePath = `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`;

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Maps the image's paths onto this machine, longest prefix first: /opt/odp → the repository, /data → a temp dir. */
function onThisMachine(value: string, paths: [string, string][]): string {
  for (const [inImage, here] of paths) {
    if (value === inImage || value.startsWith(`${inImage}/`)) return here + value.slice(inImage.length);
  }
  return value;
}

async function status(url: string): Promise<number | undefined> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status,
    () => undefined,
  );
}

/**
 * No Docker engine runs here, so the image's CMD runs natively: the service built as the Dockerfile builds it,
 * its extensions provisioned as the build stage does, and the environment the image and compose.yaml give it,
 * in a bubblewrap sandbox that makes everything but ODP_DATA_DIR and a fresh /tmp read-only.
 */
describe("the image's CMD, run natively with compose's environment on a read-only root", function () {
  this.timeout(600_000);
  let image: ImageContract;
  let child: ChildProcess | undefined;
  let output = '';
  let dataDir: string;
  let environment: Record<string, string>;
  let port: number;

  before(async () => {
    await run('bwrap', ['--version']).catch(() => {
      throw new Error('bubblewrap (bwrap) is not installed; run: bash .ci/setup.d/delivery.sh');
    });
    image = await readImageContract(path.join(repositoryRoot, 'service/Dockerfile'));
    await run('nice', ['-n', '10', 'npm', 'run', 'build', '--workspace', 'service'], {
      cwd: repositoryRoot,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`npm run build -w service failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'odp-image-data-'));
    // The project's own extension directory (git-ignored), where `npm start` and the service tests provision too.
    const extensionDir = path.join(repositoryRoot, 'service/.duckdb-extensions');
    await run('node', ['service/dist/cli.js', 'extensions', 'install'], {
      cwd: repositoryRoot,
      env: { ...process.env, ODP_EXTENSION_DIR: extensionDir },
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`odp extensions install failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });

    const paths: [string, string][] = (
      [
        [image.env.ODP_EXTENSION_DIR!, extensionDir],
        [image.env.ODP_DATA_DIR!, dataDir],
        [image.workdir!, repositoryRoot.replace(/\/$/, '')],
      ] as [string, string][]
    ).sort(([a], [b]) => b.length - a.length);
    const compose = await readCompose(path.join(repositoryRoot, 'compose.yaml'));
    const containerEnvironment = {
      ...image.env,
      ...serviceEnvironment(compose.services['lake-service']!, {}),
    };
    port = await freePort();
    environment = Object.fromEntries(
      Object.entries(containerEnvironment).map(([name, value]) => [name, onThisMachine(value, paths)]),
    );
    environment.ODP_PORT = String(port);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('comes up healthy on /healthz and ready on /readyz', async () => {
    // As in the pod and in compose: the root filesystem read-only, a fresh /tmp, only ODP_DATA_DIR writable,
    // and a home folder that does not exist (the image's user has none).
    const sandbox = [
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/tmp',
      // The checkout itself may live under /tmp (CI clones there): bring it back, read-only, over the fresh /tmp.
      '--ro-bind',
      repositoryRoot,
      repositoryRoot,
      // So is the Node that runs these tests (the image's `node`), wherever it was installed.
      '--ro-bind',
      nodeHome,
      nodeHome,
      '--bind',
      dataDir,
      dataDir,
    ];
    child = spawn('bwrap', [...sandbox, '--chdir', repositoryRoot, '--', ...image.cmd], {
      env: { PATH: nodePath, HOME: '/nonexistent', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    let health: number | undefined;
    let ready: number | undefined;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`\`${image.cmd.join(' ')}\` exited with ${child.exitCode}:\n${output.slice(-4000)}`);
      }
      [health, ready] = [await status(`${base}/healthz`), await status(`${base}/readyz`)];
      if (health === 200 && ready === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect({ health, ready }, output.slice(-4000)).to.deep.equal({ health: 200, ready: 200 });
  });

  it("passes the Dockerfile's HEALTHCHECK and compose's healthcheck, run as the engine would", async () => {
    expect(child?.exitCode, 'the service is running').to.equal(null);
    const compose = await readCompose(path.join(repositoryRoot, 'compose.yaml'));
    const composeTest = compose.services['lake-service']!.healthcheck!.test as string[];
    expect(composeTest[0]).to.equal('CMD');
    const checks: [string, string[]][] = [
      ['service/Dockerfile HEALTHCHECK', image.healthcheck!.command],
      // compose probes the container port; here the service listens on the free port instead.
      [
        'compose.yaml healthcheck',
        composeTest.slice(1).map((part) => part.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`)),
      ],
    ];
    for (const [where, [command, ...args]] of checks) {
      const result = await run(command!, args, {
        env: { PATH: nodePath, ...environment },
      }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
      expect(result, where).to.equal(0);
    }
  });

  it("writes its state under ODP_DATA_DIR and stops cleanly on SIGTERM within a pod's 30 s grace period", async () => {
    expect(await readdir(dataDir), 'files in ODP_DATA_DIR').to.not.deep.equal([]);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    // bwrap waits for the command and exits with its status; the signal goes to the command itself.
    const service = (await readFile(`/proc/${child!.pid}/task/${child!.pid}/children`, 'utf8'))
      .trim()
      .split(' ')[0];
    process.kill(Number(service), 'SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
    ]);
    expect(code, `exit on SIGTERM (got ${code})\n${output.slice(-2000)}`).to.equal(0);
  });
});
