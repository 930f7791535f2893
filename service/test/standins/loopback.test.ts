import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, listening } from '../../standins/loopback.js';

const loopback = fileURLToPath(new URL('../../standins/loopback.ts', import.meta.url));

/** A node process that runs `script` (ESM, with the stand-in importable as `loopback`), output collected. */
function node(script: string): ChildProcess & { output: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, LOOPBACK: loopback },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
  });
  return Object.assign(child, { output: once(child.stdout, 'end').then(() => text) });
}

describe('loopback ports for test daemons', () => {
  it('never hands two test processes running side by side the same port', async () => {
    // Each holds its ports (stays alive) until stdin closes, as a test holds a daemon's port while it runs.
    const pickers = [0, 1].map(() =>
      node(`
        const { freePorts } = await import(process.env.LOOPBACK);
        const ports = await freePorts(300);
        process.stdout.write(JSON.stringify(ports) + '\\n');
        process.stdin.resume();
        process.stdin.on('end', () => process.exit(0));`),
    );
    const lines = await Promise.all(
      pickers.map(
        (picker) =>
          new Promise<number[]>((resolve) => {
            let text = '';
            picker.stdout?.on('data', (chunk) => {
              text += chunk;
              if (text.endsWith('\n')) resolve(JSON.parse(text));
            });
          }),
      ),
    );
    for (const picker of pickers) picker.stdin?.end();
    await Promise.all(pickers.map((picker) => picker.output));
    const [first = [], second = []] = lines;
    assert.equal(new Set([...first, ...second]).size, 600, 'a port was handed to both processes');
    for (const port of [...first, ...second])
      assert.ok(port >= 20000 && port <= 29999, `${port} out of range`);
  });

  it('fails the start of a daemon that finds its port taken, instead of taking the other listener for it', async () => {
    const port = await freePort();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    const daemon = node(`
      const server = (await import('node:net')).createServer();
      server.on('error', () => process.exit(3));
      server.listen(${port}, '127.0.0.1');`);
    try {
      await assert.rejects(listening(port, daemon, 'the daemon'), {
        message: `the daemon exited (3) before it listened on 127.0.0.1:${port}`,
      });
    } finally {
      daemon.kill();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('resolves once the daemon listens on its port', async () => {
    const port = await freePort();
    const daemon = node(`
      (await import('node:net')).createServer().listen(${port}, '127.0.0.1');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`);
    try {
      await listening(port, daemon, 'the daemon');
    } finally {
      daemon.stdin?.end();
      await daemon.output;
    }
  });
});
