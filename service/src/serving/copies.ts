import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableSchema } from '../api/http/catalogCache.js';
import type { Dataset } from '../datasets/definition.js';
import { messageOf } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { rows } from '../lake/query.js';
import { ident } from '../lake/quote.js';
import { rowCountAt, tableAt } from '../lake/snapshots.js';
import { sortTerms } from '../lake/sortOrder.js';
import type { Logger } from '../log.js';
import { estimatedRowBytes } from './footprint.js';
import { servingMetrics } from './metrics.js';
import { type DayCounts, dayCounts } from './narrowing.js';

/** Where a read at a snapshot goes: a SQL table expression, whether it is a copy, and a copy's day counts. */
export interface Source {
  from: string;
  copy: boolean;
  days: DayCounts | undefined;
}

/** A dataset's rows at one snapshot, held in the engine's memory in the dataset's sort order. */
interface Copy {
  snapshot: number;
  /** The in-memory database that holds it; detached when a newer copy replaces it. */
  database: string;
  bytes: number;
  /** Row counts by day of its sort order's second column, when that is a time (see `narrowed`). */
  days: DayCounts | undefined;
  /**
   * The session that built it, kept open: the copy lives in that session's engine, and once the lake replaces
   * an engine (after a fatal error) the session stops being usable and the copy is gone with its engine.
   */
  anchor: DuckDBConnection;
}

/** Copies' database names are the engine's, shared by every API over it (tests serve one lake with several). */
let databases = 0;

type Build = { dataset: Dataset; schema: TableSchema; snapshot: number };

/**
 * Serving copies of the current snapshot: for each dataset that fits the memory budget, its rows at the snapshot
 * the API last saw as current, in an in-memory DuckDB table written in the dataset's sort order. Such a table
 * keeps min/max statistics per row group, so a filter on the sort order's leading columns reads one or two row
 * groups, and no read of it touches the catalog or a Parquet footer.
 *
 * A copy answers only reads at its exact snapshot, so its answers are the lake's by construction; reads at any
 * other snapshot (`asOf`, a cursor pinned earlier, a snapshot whose copy is still being built) go to the lake.
 * Copies are built one at a time in the background, each on its own session, and swapped in whole.
 */
export class ServingCopies {
  readonly #lake: Lake;
  readonly #budgetBytes: number;
  readonly #log: Logger;
  readonly #copies = new Map<string, Copy>();
  /** Measured bytes per row of each dataset's last copy, a better guess for its next one than the types. */
  readonly #rowBytes = new Map<string, number>();
  /** The latest snapshot wanted per dataset; a build picks the newest when its turn comes. */
  readonly #wanted = new Map<string, Build>();
  /** Snapshots already tried per dataset (built, over budget or failed), so a request does not retry them. */
  readonly #tried = new Map<string, number>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(lake: Lake, budgetMegabytes: number, log: Logger) {
    this.#lake = lake;
    this.#budgetBytes = budgetMegabytes * 2 ** 20;
    this.#log = log;
  }

  get enabled(): boolean {
    return this.#budgetBytes > 0;
  }

  /**
   * The table to read `dataset` at `snapshot` from: its copy when one holds exactly that snapshot, the lake's
   * table at that snapshot otherwise. `current` says the snapshot is the lake's latest: a copy of it is then
   * built in the background if none is, so that later reads find it.
   */
  source(dataset: Dataset, schema: TableSchema, snapshot: number, current: boolean): Source {
    const copy = this.#usable(dataset.name);
    if (copy?.snapshot === snapshot) {
      servingMetrics.reads.inc({ dataset: dataset.name, source: 'copy' });
      return { from: `${ident(copy.database)}.main.${ident(dataset.name)}`, copy: true, days: copy.days };
    }
    servingMetrics.reads.inc({ dataset: dataset.name, source: 'lake' });
    if (current) this.want(dataset, schema, snapshot);
    return { from: tableAt(dataset.name, snapshot), copy: false, days: undefined };
  }

  /** Asks for a copy of `dataset` at `snapshot` unless one exists or was tried; `settled` waits for it. */
  want(dataset: Dataset, schema: TableSchema, snapshot: number): void {
    if (!this.enabled || this.#closed) return;
    if ((this.#tried.get(dataset.name) ?? -1) >= snapshot) return;
    const pending = this.#wanted.get(dataset.name);
    if (pending && pending.snapshot >= snapshot) return;
    const first = pending === undefined;
    this.#wanted.set(dataset.name, { dataset, schema, snapshot });
    if (first) this.#queue = this.#queue.then(() => this.#buildWanted(dataset.name));
  }

  /** Resolves once every build asked for so far has ended (built, found over budget, or failed). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.#queue;
      await seen;
    } while (seen !== this.#queue);
  }

  /** Bytes the copies hold together. */
  get bytes(): number {
    let total = 0;
    for (const copy of this.#copies.values()) total += copy.bytes;
    return total;
  }

  /** Forgets the copies; their memory goes with the engine, which the lake closes next. */
  close(): void {
    this.#closed = true;
    for (const copy of this.#copies.values()) this.#lake.release(copy.anchor);
    this.#copies.clear();
  }

  #usable(name: string): Copy | undefined {
    const copy = this.#copies.get(name);
    if (copy && !this.#lake.usable(copy.anchor)) this.#drop(name);
    return this.#copies.get(name);
  }

  async #buildWanted(name: string): Promise<void> {
    const build = this.#wanted.get(name);
    this.#wanted.delete(name);
    if (!build || this.#closed) return;
    this.#tried.set(name, build.snapshot);
    try {
      await this.#build(build);
    } catch (error) {
      this.#log.warn(
        { err: error, dataset: name, snapshot: build.snapshot },
        `the serving copy of ${name} at snapshot ${build.snapshot} could not be built; reads stay on the lake: ${messageOf(error)}`,
      );
    }
  }

  async #build({ dataset, schema, snapshot }: Build): Promise<void> {
    const name = dataset.name;
    const connection = await this.#lake.connect();
    let keep = false;
    const database = `odp_serving_${++databases}`;
    try {
      const rowCount = await rowCountAt(connection, name, snapshot);
      const perRow = this.#rowBytes.get(name) ?? estimatedRowBytes(schema.values());
      const others = this.bytes - (this.#copies.get(name)?.bytes ?? 0);
      if (rowCount * perRow > this.#budgetBytes - others) {
        this.#overBudget(name, snapshot, rowCount * perRow, others);
        return;
      }
      // The old copy serves until the new one replaces it when both fit; otherwise it goes first, and reads go
      // to the lake while the new one is built.
      if (rowCount * perRow > this.#budgetBytes - this.bytes) this.#drop(name);
      const started = performance.now();
      const before = await tableMemory(connection);
      const columns = [...schema.keys()].map(ident).join(', ');
      const order = dataset.sortedBy ? sortTerms(dataset.sortedBy) : dataset.key.map(ident);
      // Row groups of 2,048 rows (not 122,880): their min/max statistics then skip to within a day of a time.
      await connection.run(`ATTACH ':memory:' AS ${ident(database)} (ROW_GROUP_SIZE 2048)`);
      const table = `${ident(database)}.main.${ident(name)}`;
      await connection.run(
        `CREATE TABLE ${table} AS SELECT ${columns} FROM ${tableAt(name, snapshot)}` +
          (order.length ? ` ORDER BY ${order.join(', ')}` : ''),
      );
      const days = await dayCounts(connection, name, table, dataset.sortedBy, schema);
      const bytes = Math.max(0, (await tableMemory(connection)) - before);
      if (rowCount > 0) this.#rowBytes.set(name, bytes / rowCount);
      // Over budget once measured: the copy is detached with the session below.
      if (bytes > this.#budgetBytes - this.bytes) {
        this.#overBudget(name, snapshot, bytes, others);
        return;
      }
      if (this.#closed) return;
      const buildSeconds = (performance.now() - started) / 1000;
      const replaced = this.#copies.get(name);
      this.#copies.set(name, { snapshot, database, bytes, days, anchor: connection });
      keep = true;
      if (replaced) this.#retire(replaced);
      servingMetrics.bytes.set({ dataset: name }, bytes);
      servingMetrics.snapshot.set({ dataset: name }, snapshot);
      servingMetrics.buildSeconds.set({ dataset: name }, buildSeconds);
      this.#log.info(
        { dataset: name, snapshot, bytes, rows: rowCount, buildSeconds },
        `serving ${name} at snapshot ${snapshot} from memory (${(bytes / 2 ** 20).toFixed(1)} MiB, built in ${buildSeconds.toFixed(2)} s)`,
      );
    } finally {
      if (!keep) {
        await connection.run(`DETACH DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
        this.#lake.release(connection);
      }
    }
  }

  #overBudget(name: string, snapshot: number, bytes: number, others: number): void {
    // A copy of an older snapshot would never be read again: free its memory.
    this.#drop(name);
    servingMetrics.overBudget.inc({ dataset: name });
    this.#log.info(
      { dataset: name, snapshot, bytes, budgetBytes: this.#budgetBytes, otherCopiesBytes: others },
      `${name} at snapshot ${snapshot} needs ~${(bytes / 2 ** 20).toFixed(0)} MiB, more than the serving budget leaves; it is read from the lake`,
    );
  }

  #drop(name: string): void {
    const copy = this.#copies.get(name);
    if (!copy) return;
    this.#copies.delete(name);
    servingMetrics.bytes.set({ dataset: name }, 0);
    this.#retire(copy);
  }

  /** Reads already running on a detached copy finish on it; DuckDB frees it after them. */
  #retire(copy: Copy): void {
    const usable = this.#lake.usable(copy.anchor);
    const detach = usable
      ? copy.anchor.run(`DETACH DATABASE IF EXISTS ${ident(copy.database)}`).catch(() => undefined)
      : Promise.resolve();
    void detach.then(() => this.#lake.release(copy.anchor));
  }
}

/** Bytes DuckDB holds in in-memory tables, engine-wide (copies are built one at a time, so a delta is one copy). */
async function tableMemory(connection: DuckDBConnection): Promise<number> {
  const [found] = await rows<{ bytes: number | null }>(
    connection,
    "SELECT sum(memory_usage_bytes)::DOUBLE AS bytes FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'",
  );
  return found?.bytes ?? 0;
}
