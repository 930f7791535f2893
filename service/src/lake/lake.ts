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

/** DuckDB's words for an engine a fatal or internal error has invalidated: every later query on it fails. */
const INVALIDATED = /database has been invalidated|FATAL Error|INTERNAL Error/;

export class Lake {
  #engine: DuckDBInstance;
  #generation = 0;
  /** The engine generation of each session given out. */
  readonly #sessions = new WeakMap<DuckDBConnection, number>();
  /**
   * Engines and sessions a fatal error invalidated, kept for the life of the process: destroying one (closing it,
   * or the garbage collector finalizing it) rolls back through the dead engine and aborts the process.
   */
  readonly #retired: (DuckDBInstance | DuckDBConnection)[] = [];
  #invalidated = false;
  #reopening: Promise<void> | undefined;
  readonly config: Config;
  readonly #options: LakeOptions;

  private constructor(engine: DuckDBInstance, config: Config, options: LakeOptions) {
    this.#engine = engine;
    this.config = config;
    this.#options = options;
  }

  static async open(config: Config, options: LakeOptions = {}): Promise<Lake> {
    if (config.catalog.kind === 'duckdb') await mkdir(path.dirname(config.catalog.path), { recursive: true });
    if (config.dataPath.kind === 'local') await mkdir(config.dataPath.path, { recursive: true });
    return new Lake(await attachedEngine(config, options), config, options);
  }

  /**
   * A new session on the lake; temporary tables are private to it. Close it with `release`. After a fatal error
   * invalidated the engine (DuckLake can fail so when its catalog connection drops mid-transaction), the first
   * new session opens a fresh engine, so the process serves again without a restart.
   */
  async connect(): Promise<DuckDBConnection> {
    if (this.#invalidated) {
      this.#reopening ??= attachedEngine(this.config, this.#options).then(
        (engine) => {
          this.#retired.push(this.#engine);
          this.#engine = engine;
          this.#generation++;
          this.#invalidated = false;
          this.#reopening = undefined;
        },
        (error: unknown) => {
          this.#reopening = undefined;
          throw error;
        },
      );
      await this.#reopening;
    }
    const connection = await this.#engine.connect();
    this.#sessions.set(connection, this.#generation);
    return connection;
  }

  /** Whether `connection` may still be used: its engine is the current one and no fatal error invalidated it. */
  usable(connection: DuckDBConnection): boolean {
    return !this.#invalidated && this.#sessions.get(connection) === this.#generation;
  }

  /** Closes a session; one of an invalidated engine is retired instead (see `#retired`). */
  release(connection: DuckDBConnection): void {
    if (this.usable(connection)) connection.closeSync();
    else this.#retired.push(connection);
  }

  /**
   * Whether this process holds invalidated engines: it must then end with `process.exit()`, which skips the
   * native finalizers that would destroy them (and abort) at a natural exit.
   */
  get outlivedAnEngine(): boolean {
    return this.#invalidated || this.#retired.length > 0;
  }

  /**
   * Tells the lake of an error a session met; returns whether it invalidated the engine (the next `connect`
   * opens a new one). Sessions of an invalidated engine must not be used again.
   */
  noteError(error: unknown): boolean {
    if (INVALIDATED.test(messageOf(error))) this.#invalidated = true;
    return this.#invalidated;
  }

  /** Runs `work` on a fresh session and releases it afterwards. */
  async session<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await work(connection);
    } catch (error) {
      this.noteError(error);
      throw error;
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    if (!this.#invalidated) this.#engine.closeSync();
  }
}

/** A DuckDB engine with the lake attached, its catalog indexes made and its layout applied. */
async function attachedEngine(config: Config, options: LakeOptions): Promise<DuckDBInstance> {
  const engine = await createEngine(config.extensionDir, {
    spillDir: path.join(config.dataDir, 'tmp'),
    memoryLimit: config.memoryLimit,
    cacheFiles: config.dataPath.kind !== 'local',
  });
  const connection = await engine.connect();
  try {
    for (const statement of attachStatements(config.catalog, config.dataPath, options.signIn?.passfile)) {
      await connection.run(statement).catch((error: unknown) => {
        throw explainAttachError(error, config);
      });
    }
    for (const statement of catalogIndexStatements(config.catalog)) await connection.run(statement);
    await applyLayout(connection);
  } catch (error) {
    connection.closeSync();
    engine.closeSync();
    throw error;
  }
  connection.closeSync();
  return engine;
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
