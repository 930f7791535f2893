import type { ChildProcess } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Ports handed to daemons come from below the kernel's ephemeral range (where `bind(0)` and outgoing connections
 * take their local ports, and where a connection to a port nobody listens on can connect to itself) and below
 * Kubernetes' NodePort range (30000–32767). Every process of a test run that picks ports reserves them in one
 * folder, so two test processes running side by side are never handed the same port.
 */
const FIRST_PORT = 20000;
const LAST_PORT = 29999;
const reservations = path.join(os.tmpdir(), 'odp-ports');
const reserved: string[] = [];

/** A TCP port on 127.0.0.1 that nothing listens on and no other test process holds. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * `count` distinct ports on 127.0.0.1 that nothing listens on now, reserved for this process until it exits, so
 * neither another test process nor the kernel hands them out while a daemon is starting on them.
 */
export async function freePorts(count: number): Promise<number[]> {
  assertBelowEphemeralRange();
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 10 * (LAST_PORT - FIRST_PORT))
      throw new Error(`no free port left in ${FIRST_PORT}–${LAST_PORT} (reservations in ${reservations})`);
    const port = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT + 1));
    if (ports.includes(port) || !reserve(port)) continue;
    if (await bindable(port)) ports.push(port);
  }
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
 * Resolves once `daemon` itself listens on 127.0.0.1:`port` (the listening socket is one of its open files, so a
 * listener that is some other process's is never taken for it); rejects as soon as it exits instead. No deadline
 * of its own: how long a daemon takes to start depends on the machine's load, and a caller's timeout (the test's)
 * bounds a daemon that neither listens nor exits.
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
      if (daemon.pid !== undefined && (await listensOn(daemon.pid, port))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    daemon.off('exit', onExit);
  }
}

/** Whether process `pid` holds a socket listening on `port` (Linux: /proc/net/tcp and the process's open files). */
export async function listensOn(pid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (fields[3] !== '0A' || !local) continue; // 0A: LISTEN
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port)
        inodes.add(`socket:[${fields[9]}]`);
    }
  }
  if (inodes.size === 0) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return true;
  return false;
}

/** Takes `port`'s reservation file, or a stale one whose process has ended; false when a live process holds it. */
function reserve(port: number): boolean {
  const file = path.join(reservations, String(port));
  mkdirSync(reservations, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Linked into place whole, so no other process ever reads it without the pid in it.
      linkSync(ownFile(), file);
      reserved.push(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (alive(holder(file))) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

let own: string | undefined;
function ownFile(): string {
  if (!own) {
    own = path.join(reservations, `.pid-${process.pid}`);
    writeFileSync(own, String(process.pid));
    reserved.push(own);
    process.once('exit', release);
  }
  return own;
}

function release(): void {
  for (const file of reserved.splice(0)) {
    rmSync(file, { force: true });
  }
}

/** The pid in a reservation file; NaN when the file went away meanwhile (its holder released it). */
function holder(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Number.NaN;
    throw error;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

let rangeChecked = false;
function assertBelowEphemeralRange(): void {
  if (rangeChecked) return;
  const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  const [low, high] = text.trim().split(/\s+/).map(Number) as [number, number];
  if (low <= LAST_PORT && high >= FIRST_PORT)
    throw new Error(
      `the kernel's ephemeral ports (${low}–${high}, net.ipv4.ip_local_port_range) overlap the test daemons' ports ` +
        `(${FIRST_PORT}–${LAST_PORT}); set the range to start above ${LAST_PORT} (sysctl -w net.ipv4.ip_local_port_range="32768 60999")`,
    );
  rangeChecked = true;
}
