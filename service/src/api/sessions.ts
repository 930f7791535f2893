import type { DuckDBConnection } from '@duckdb/node-api';
import type { Lake } from '../lake/lake.js';
import { Problem } from './problem.js';

/**
 * A fixed set of DuckDB sessions the API reads through. Reusing sessions keeps per-request cost low, and the set's
 * size bounds how many queries compete for the machine's cores at once; further requests wait their turn.
 */
export class ReadSessions {
  readonly #lake: Lake;
  readonly #size: number;
  readonly #idle: DuckDBConnection[] = [];
  readonly #waiting: ((connection: DuckDBConnection) => void)[] = [];
  #opened = 0;

  constructor(lake: Lake, size: number) {
    this.#lake = lake;
    this.#size = size;
  }

  /** A session for as long as `work` runs; past `timeoutMs` its query is interrupted (see `withDeadline`). */
  async use<T>(work: (connection: DuckDBConnection) => Promise<T>, timeoutMs?: number): Promise<T> {
    const lease = await this.acquire();
    try {
      return timeoutMs === undefined
        ? await work(lease.connection)
        : await withDeadline(lease.connection, timeoutMs, () => work(lease.connection));
    } finally {
      lease.release();
    }
  }

  /** A session held until `release()`, for responses streamed after the handler returns. */
  async acquire(): Promise<{ connection: DuckDBConnection; release: () => void }> {
    const connection = await this.#take();
    let released = false;
    return {
      connection,
      release: () => {
        if (released) return;
        released = true;
        this.#give(connection);
      },
    };
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.closeSync();
  }

  async #take(): Promise<DuckDBConnection> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#opened < this.#size) {
      this.#opened++;
      try {
        const connection = await this.#lake.connect();
        // Times are served in UTC whatever the host's zone.
        await connection.run("SET TimeZone = 'UTC'");
        return connection;
      } catch (error) {
        this.#opened--;
        throw error;
      }
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #give(connection: DuckDBConnection): void {
    const next = this.#waiting.shift();
    if (next) next(connection);
    else this.#idle.push(connection);
  }
}

/** Runs `work`, interrupting the session's query past `timeoutMs`; the client then gets a 503 that says so. */
export async function withDeadline<T>(
  connection: DuckDBConnection,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, timeoutMs);
  try {
    return await work();
  } catch (error) {
    if (!timedOut) throw error;
    throw new Problem(
      503,
      'Query timed out',
      `the query took longer than ${timeoutMs} ms and was stopped; narrow it with filters or a smaller limit`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
