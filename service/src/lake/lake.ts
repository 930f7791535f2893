import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Config } from '../config/config.js';
import { messageOf, OdpError } from '../errors.js';
import { attachStatements } from './attach.js';
import { catalogIndexStatements } from './catalogIndexes.js';
import { createEngine } from './engine.js';
import { applyLayout } from './layout.js';
import type { CatalogSignIn } from './signin/signin.js';

/** The DuckDB engine with the lake attached. Every session (connection) sees `lake.*`. */
export interface LakeOptions {
  /** Signs in to a PostgreSQL catalog with short-lived tokens, renewed before they expire. */
  signIn?: CatalogSignIn | undefined;
}

export class Lake {
  readonly #engine: DuckDBInstance;
  readonly config: Config;

  private constructor(engine: DuckDBInstance, config: Config) {
    this.#engine = engine;
    this.config = config;
  }

  static async open(config: Config, options: LakeOptions = {}): Promise<Lake> {
    if (config.catalog.kind === 'duckdb') await mkdir(path.dirname(config.catalog.path), { recursive: true });
    if (config.dataPath.kind === 'local') await mkdir(config.dataPath.path, { recursive: true });
    const engine = await createEngine(config.extensionDir, {
      dir: path.join(config.dataDir, 'tmp'),
      memoryLimit: config.memoryLimit,
    });
    const lake = new Lake(engine, config);
    const connection = await engine.connect();
    try {
      for (const statement of attachStatements(config.catalog, config.dataPath, options.signIn?.passfile)) {
        await runAttachStatement(connection, statement).catch((error: unknown) => {
          throw explainAttachError(error, config);
        });
      }
      for (const statement of catalogIndexStatements(config.catalog)) {
        // Replicas starting together may race to create the same index; the loser finds it made.
        await connection.run(statement).catch((error: unknown) => {
          if (!/already exists|pg_class_relname_nsp_index/.test(messageOf(error))) throw error;
        });
      }
      await applyLayout(connection);
    } catch (error) {
      connection.closeSync();
      engine.closeSync();
      throw error;
    }
    connection.closeSync();
    return lake;
  }

  /** A new session on the lake; temporary tables are private to it. Close it when done. */
  async connect(): Promise<DuckDBConnection> {
    return this.#engine.connect();
  }

  /** Runs `work` on a fresh session and closes it afterwards. */
  async session<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  close(): void {
    this.#engine.closeSync();
  }
}

/**
 * Replicas that start together on a new PostgreSQL catalog race to create DuckLake's tables; the losers' creation
 * fails on PostgreSQL's unique type names and rolls back whole. Attaching again finds the winner's catalog.
 */
async function runAttachStatement(connection: DuckDBConnection, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connection.run(statement);
      return;
    } catch (error) {
      const raced = /duplicate key value violates unique constraint "pg_type_typname_nsp_index"/.test(
        messageOf(error),
      );
      if (!raced || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

function explainAttachError(error: unknown, config: Config): Error {
  const message = messageOf(error);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const holder = /PID (\d+)/.exec(message)?.[1];
    return new OdpError(
      'lake-busy',
      `the lake catalog ${config.catalog.kind === 'duckdb' ? config.catalog.path : ''} is open in another process` +
        `${holder ? ` (pid ${holder})` : ''}; the embedded DuckDB catalog allows one process at a time. If it is ` +
        `\`odp serve\`, ask it instead, with an admin key: curl -X POST -H "Authorization: Bearer $KEY" ` +
        `http://127.0.0.1:${config.port}/v1/datasets/<dataset>/runs (or …/quarantine/replay); otherwise stop that ` +
        'process, or use a PostgreSQL catalog (ODP_CATALOG=postgres:…) for many processes',
      { cause: error },
    );
  }
  if (/extension/i.test(message) && /not (found|installed)|Failed to (load|download)/i.test(message)) {
    return new OdpError(
      'extension-unavailable',
      `a DuckDB extension is missing from ${config.extensionDir}: run \`odp extensions install\` (${message.split('\n')[0]})`,
      { cause: error },
    );
  }
  return new Error(`cannot attach the lake: ${message}`, { cause: error });
}
