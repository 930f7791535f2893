import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../standins/loopback.js';
import { extensionDir } from './setup.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function until(condition: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm start', function () {
  this.timeout(180_000);
  let dataDir: string;

  before(async () => {
    // npm start builds first (its prestart); the tests start it without that step, so build once here.
    await run('npm', ['run', 'build', '--workspace', 'service'], { cwd: root });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'odp-start-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the service when npm alone gets ${signal}, as from a process manager or Ctrl-C`, async () => {
      const port = await freePort();
      // Its own process group, as a terminal gives a job; the signal goes to npm's process only.
      const npm = spawn('npm', ['start', '--ignore-scripts'], {
        cwd: root,
        detached: true,
        stdio: 'ignore',
        env: {
          ...process.env,
          ODP_PORT: String(port),
          ODP_DATA_DIR: dataDir,
          ODP_SCHEDULER: 'false',
          ODP_EXTENSION_DIR: extensionDir,
        },
      });
      let exited = false;
      npm.once('exit', () => {
        exited = true;
      });
      try {
        await until(() => listening(port), 60_000, 'the service did not listen');
        process.kill(npm.pid!, signal);
        await until(async () => exited, 10_000, `npm did not exit on ${signal}`);
        await until(
          async () => !(await listening(port)),
          10_000,
          `the service still listens after ${signal}`,
        );
      } finally {
        // Whatever is left of the group goes, so a failing run leaves no server behind.
        try {
          process.kill(-npm.pid!, 'SIGKILL');
        } catch {}
      }
    });
  }
});
