import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { repositoryRoot } from '../checks/repository.js';

const run = promisify(execFile);

// A first run's Go builds fill ~15 GB of caches that nothing reads once the tools are built; a machine whose disk
// they fill fails the tests that come after (it happened: the real-node test's image build, out of disk).
describe('The tools installer (.ci/install.ts)', () => {
  it('builds a Go tool with caches of its own and leaves none behind, nor those of an installer that died', async function () {
    this.timeout(600_000);
    const home = await mkdtemp(path.join(os.tmpdir(), 'odp-install-'));
    try {
      const tools = path.join(home, 'tools');
      // What an installer killed mid-build leaves: its caches, under the PID of a process that has ended.
      const ended = spawn('true');
      await once(ended, 'exit');
      const left = path.join(tools, '.go-caches', String(ended.pid));
      await mkdir(path.join(left, 'build'), { recursive: true });
      await writeFile(path.join(left, 'build', 'README'), 'a cache an interrupted build left');

      await run(process.execPath, ['--import', 'tsx', '.ci/install.ts', 'pause'], {
        cwd: repositoryRoot,
        // An empty HOME: Go's default caches would land in it.
        env: { ...process.env, HOME: home, ODP_TOOLS: tools, GOCACHE: '', GOMODCACHE: '' },
      });

      const built = (await readdir(path.join(tools, 'kube'))).filter((f) => f.startsWith('pause-'));
      expect(built, 'the built tool').to.have.length(1);
      expect(existsSync(path.join(tools, 'kube', built[0]!, 'pause')), 'the pause binary').to.equal(true);
      expect(
        await readdir(path.join(tools, '.go-caches')),
        'Go caches left in the tools folder',
      ).to.deep.equal([]);
      expect(existsSync(path.join(home, '.cache', 'go-build')), "Go's default build cache").to.equal(false);
      expect(existsSync(path.join(home, 'go')), "Go's default module cache").to.equal(false);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
