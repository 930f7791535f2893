import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { LocalAzurite } from './azurite.js';
import { LocalPostgres } from './postgres.js';

/**
 * The production topology on one machine: a PostgreSQL catalog owned by a login role (the managed identity in
 * Azure), lake files and raw increments in Azurite, and the ODP_ environment that points a replica at them.
 */
export class ScaleOut {
  static readonly role = 'odp_service';
  static readonly database = 'ducklake';
  readonly rolePassword = randomBytes(12).toString('hex');

  private constructor(
    readonly postgres: LocalPostgres,
    readonly azurite: LocalAzurite,
    readonly dir: string,
  ) {}

  static async start(): Promise<ScaleOut> {
    const [postgres, azurite] = await Promise.all([LocalPostgres.start(), LocalAzurite.start()]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-scaleout-'));
    const stack = new ScaleOut(postgres, azurite, dir);
    await mkdir(stack.datasets);
    await mkdir(path.join(dir, 'tmp'));
    await postgres.createCatalog(ScaleOut.role, stack.rolePassword, ScaleOut.database);
    await Promise.all([azurite.createContainer('lake'), azurite.createContainer('increments')]);
    return stack;
  }

  /** The replicas' dataset definitions folder, empty at start. */
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
      ODP_EXTENSION_DIR: loadConfig().extensionDir,
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
