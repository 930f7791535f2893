import { spawn } from 'node:child_process';
import { repositoryRoot } from '../checks/repository.js';

/**
 * Every delivery test runs after the installer has put delivery's tools in place. Where .ci/with-tools.sh builds
 * them in the background, the installer waits on the background builds' machine locks and then finds them built;
 * a failed build is tried once more here and fails the tests with the installer's reason.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(0);
    const installer = spawn(process.execPath, ['--import', 'tsx', '.ci/install.ts', '--for', 'delivery'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    installer.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stderr.write(chunk);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      installer.on('error', reject);
      installer.on('close', resolve);
    });
    if (code !== 0) {
      const reason = output.trimEnd().split('\n').at(-1) ?? '';
      throw new Error(
        `the delivery tests' tools are not installed (.ci/install.ts --for delivery exited with ${code}): ${reason}`,
      );
    }
  },
};
