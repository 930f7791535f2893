import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './loopback.js';

const run = promisify(execFile);

/** Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<major>/bin. */
function postgresBin(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (existsSync(path.join(dir, 'pg_ctl')) && existsSync(path.join(dir, 'initdb'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const dir = path.join(root, major, 'bin');
    if (existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (pg_ctl, initdb) not found: run npm test, or node --import tsx .ci/install.ts postgresql',
  );
}

/** PostgreSQL refuses to run as root; a root test run hands the cluster to the `postgres` system user. */
async function asServerUser(dir: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  return ['runuser', '-u', 'postgres', '--'];
}

/** A PostgreSQL cluster of its own, in a temporary folder on a free port; `stop()` removes it. */
export class LocalPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly adminPassword: string,
    readonly bin: string,
    readonly prefix: string[],
  ) {}

  static async start(): Promise<LocalPostgres> {
    const bin = postgresBin();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-pg-'));
    await chmod(dir, 0o755);
    const prefix = await asServerUser(dir);
    const password = randomBytes(12).toString('hex');
    const pwfile = path.join(dir, 'admin-password');
    await writeFile(pwfile, password);
    if (prefix.length) await run('chown', ['postgres', pwfile]);
    const data = path.join(dir, 'data');
    const exec = (tool: string, args: string[]) =>
      run(prefix[0] ?? path.join(bin, tool), [
        ...prefix.slice(1),
        ...(prefix.length ? [path.join(bin, tool)] : []),
        ...args,
      ]);
    await exec('initdb', [
      '-D',
      data,
      '-U',
      'odp_admin',
      `--pwfile=${pwfile}`,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '--no-sync',
    ]);
    const port = await freePort();
    const server = new LocalPostgres(dir, port, password, bin, prefix);
    server.#exec = exec;
    await server.resume();
    return server;
  }

  #exec: ((tool: string, args: string[]) => Promise<unknown>) | undefined;

  /** Starts the server again after `halt()`, on the same port with the same data. */
  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await this.#exec?.('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      path.join(this.dir, 'server.log'),
      '-w',
      'start',
    ]);
  }

  /** Stops the server as an outage would: open sessions are ended, their transactions rolled back. */
  async halt(): Promise<void> {
    await this.#exec?.('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  /** A libpq connection string for `user` on `database` (no password: that comes from PGPASSWORD or a token). */
  conninfo(user: string, database: string): string {
    return `host=127.0.0.1 port=${this.port} dbname=${database} user=${user}`;
  }

  async admin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: this.port,
      user: 'odp_admin',
      password: this.adminPassword,
      database,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** A login role that owns a new database: what the service's managed identity is in Azure. */
  async createCatalog(role: string, password: string, database: string): Promise<void> {
    await this.admin(async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
    });
  }

  async stop(): Promise<void> {
    await this.#exec?.('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(
      () => undefined,
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}
