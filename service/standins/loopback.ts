import type { ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * `count` distinct ports on 127.0.0.1 that nothing listens on right now: all are held open until all are chosen,
 * so two daemons started together are never handed the same one.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Whether something accepts connections on 127.0.0.1:`port` now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once `daemon` accepts connections on 127.0.0.1:`port`; rejects as soon as it exits instead. No
 * deadline of its own: how long a daemon takes to start depends on the machine's load, and a caller's timeout
 * (the test's) bounds a daemon that neither listens nor exits.
 */
export async function listening(port: number, daemon: ChildProcess, name: string): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = `${name} exited (${signal ?? code}) before it listened on 127.0.0.1:${port}`;
  };
  if (daemon.exitCode !== null || daemon.signalCode !== null) onExit(daemon.exitCode, daemon.signalCode);
  daemon.once('exit', onExit);
  try {
    for (;;) {
      if (exited) throw new Error(exited);
      if (await accepts(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    daemon.off('exit', onExit);
  }
}
