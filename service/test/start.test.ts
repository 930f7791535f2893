import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { accepts, freePort } from '../standins/loopback.js';
import { until } from './fixtures/until.js';
import { extensionDir } from './setup.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

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
        await until('the service to listen', async () => ((await accepts(port)) ? true : undefined));
        process.kill(npm.pid!, signal);
        await until(`npm to exit on ${signal}`, async () => (exited ? true : undefined), 10_000);
        await until(
          `the service to stop listening after ${signal}`,
          async () => ((await accepts(port)) ? undefined : true),
          10_000,
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
