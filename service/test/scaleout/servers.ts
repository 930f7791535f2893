import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import pg from 'pg';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/config/azure.js';
import { readingsDataset } from '../fixtures/sandbox.js';
import { extensionDir } from '../setup.js';

const run = promisify(execFile);

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
  throw new Error('PostgreSQL server binaries (pg_ctl, initdb) not found: run .ci/setup.d/service.sh');
}

/** PostgreSQL refuses to run as root; a root test run hands the cluster to the `postgres` system user. */
async function asServerUser(dir: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  return ['runuser', '-u', 'postgres', '--'];
}

/** A PostgreSQL cluster of the test's own, in a temporary folder on a free port; `stop()` removes it. */
export class TestPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly adminPassword: string,
    readonly bin: string,
    readonly prefix: string[],
  ) {}

  static async start(): Promise<TestPostgres> {
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
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await exec('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start']);
    const server = new TestPostgres(dir, port, password, bin, prefix);
    server.#exec = exec;
    return server;
  }

  #exec: ((tool: string, args: string[]) => Promise<unknown>) | undefined;

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

/** Azurite, the Azure Storage emulator, on a free loopback port with its well-known development account. */
export class TestAzurite {
  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestAzurite> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-azurite-'));
    const port = await freePort();
    const bin = path.join(
      path.dirname(createRequire(import.meta.url).resolve('azurite/package.json')),
      'dist/src/blob/main.js',
    );
    const child = spawn(
      process.execPath,
      [
        bin,
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        dir,
        '--silent',
        '--skipApiVersionCheck',
        '--disableTelemetry',
      ],
      { stdio: 'ignore' },
    );
    await listening(port, 20_000);
    return new TestAzurite(child, dir, port);
  }

  /** The emulator's blob endpoint, as ODP_AZURE_BLOB_ENDPOINT takes it. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/${AZURITE_ACCOUNT}`;
  }

  get client(): BlobServiceClient {
    return new BlobServiceClient(this.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  }

  async createContainer(name: string): Promise<void> {
    await this.client.getContainerClient(name).createIfNotExists();
  }

  async blobs(container: string, prefix = ''): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.client.getContainerClient(container).listBlobsFlat({ prefix }))
      names.push(blob.name);
    return names;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * The production topology on one machine: a PostgreSQL catalog owned by a login role (the managed identity in
 * Azure), lake files and raw increments in Azurite, and the ODP_ environment that points a replica at them.
 */
export class ScaleOut {
  static readonly role = 'odp_service';
  static readonly database = 'ducklake';
  readonly rolePassword = randomBytes(12).toString('hex');

  private constructor(
    readonly postgres: TestPostgres,
    readonly azurite: TestAzurite,
    readonly dir: string,
  ) {}

  static async start(): Promise<ScaleOut> {
    const [postgres, azurite] = await Promise.all([TestPostgres.start(), TestAzurite.start()]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-scaleout-'));
    const stack = new ScaleOut(postgres, azurite, dir);
    await mkdir(stack.datasets);
    await mkdir(path.join(dir, 'tmp'));
    await writeFile(path.join(stack.datasets, 'readings.yaml'), readingsDataset());
    await postgres.createCatalog(ScaleOut.role, stack.rolePassword, ScaleOut.database);
    await Promise.all([azurite.createContainer('lake'), azurite.createContainer('increments')]);
    return stack;
  }

  /** The replicas' dataset definitions: `readings`, a small NDJSON dataset read from readings.ndjson here. */
  get datasets(): string {
    return path.join(this.dir, 'datasets');
  }

  get conninfo(): string {
    return this.postgres.conninfo(ScaleOut.role, ScaleOut.database);
  }

  /** What a replica is started with. The role's password reaches libpq and node-postgres as PGPASSWORD. */
  env(datasetsDir = this.datasets): NodeJS.ProcessEnv {
    return {
      ODP_DATA_DIR: path.join(this.dir, 'data'),
      ODP_DATASETS: datasetsDir,
      ODP_LOG_LEVEL: 'silent',
      ODP_EXTENSION_DIR: extensionDir,
      ODP_CATALOG: `postgres:${this.conninfo}`,
      ODP_AZURE_BLOB_ENDPOINT: this.azurite.endpoint,
      ODP_DATA_PATH: 'az://lake/tables',
      ODP_INCREMENTS: `${this.azurite.endpoint}/increments/raw`,
      PGPASSWORD: this.rolePassword,
      // A replica killed mid-run leaves its work folder behind; here it goes with the stack.
      TMPDIR: path.join(this.dir, 'tmp'),
    };
  }

  /** Parquet files of the lake in the emulator. */
  lakeFiles(): Promise<string[]> {
    return this.azurite.blobs('lake', 'tables/');
  }

  /** Query the catalog database as the administrator. */
  catalog<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    return this.postgres.admin(async (c) => (await c.query<T>(sql, values)).rows, ScaleOut.database);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.postgres.stop(), this.azurite.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
