import type { DuckDBConnection } from '@duckdb/node-api';
import type { Lake } from '../../lake/lake.js';
import { Gate } from './gate.js';
import { Problem } from './problem.js';

/** How many requests may wait per session before more are refused at once. */
const WAITING_PER_SESSION = 32;

/**
 * A fixed set of DuckDB sessions the API reads through. Reusing sessions keeps per-request cost low, and the set's
 * size bounds how many queries compete for the machine's cores at once; further requests wait their turn, in a
 * queue bounded in length and time (see `Gate`).
 */
export class ReadSessions {
  readonly #lake: Lake;
  readonly #gate: Gate;
  readonly #idle: DuckDBConnection[] = [];

  constructor(lake: Lake, size: number, maxWaitMs: number) {
    this.#lake = lake;
    this.#gate = new Gate({
      capacity: size,
      maxWaiting: size * WAITING_PER_SESSION,
      maxWaitMs,
      what: 'the lake',
    });
  }

  /** A session for as long as `work` runs; past `timeoutMs` its query is interrupted (see `withDeadline`). */
  async use<T>(work: (connection: DuckDBConnection) => Promise<T>, timeoutMs?: number): Promise<T> {
    const leave = await this.#gate.enter();
    let connection: DuckDBConnection | undefined;
    try {
      connection = await this.#take();
      const session = connection;
      return timeoutMs === undefined
        ? await work(session)
        : await withDeadline(session, timeoutMs, () => work(session));
    } catch (error) {
      this.#lake.noteError(error);
      throw error;
    } finally {
      if (connection) this.#give(connection);
      leave();
    }
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) this.#lake.release(connection);
  }

  /** An idle session of the current engine, or a new one. */
  async #take(): Promise<DuckDBConnection> {
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (this.#lake.usable(idle)) return idle;
      this.#lake.release(idle);
    }
    const connection = await this.#lake.connect();
    // Times are served in UTC whatever the host's zone.
    await connection.run("SET TimeZone = 'UTC'");
    return connection;
  }

  /** A session of an invalidated engine is not kept (see `Lake.release`). */
  #give(connection: DuckDBConnection): void {
    if (this.#lake.usable(connection)) this.#idle.push(connection);
    else this.#lake.release(connection);
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
