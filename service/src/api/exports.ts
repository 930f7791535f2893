import { createReadStream, statSync, watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Gate } from './gate.js';
import { Problem } from './problem.js';
import { copySql } from './records/formats.js';
import type { Format } from './records/query.js';
import type { Statement } from './records/statement.js';
import { withDeadline } from './sessions.js';

export interface ExportLimits {
  /** Exports written or streaming at once; more wait their turn (see `Gate`). */
  slots: number;
  /** The folder export files are written to (the pod's /tmp, an emptyDir of 1 GiB). */
  folder: string;
  /** What all export files may take of it together. */
  spaceBytes: number;
  /** A client that reads nothing for this long is cut off, and its file removed. */
  idleMs: number;
  /** DuckDB's writing of one export is interrupted past this. */
  timeoutMs: number;
  /** How long an export may wait for a slot. */
  maxWaitMs: number;
}

/** Writes one export with a session; the stream it returns holds an export slot until it closes. */
export type ExportWriter = (
  connection: DuckDBConnection,
  statement: Statement,
  format: Exclude<Format, 'json'>,
) => Promise<Readable>;

/**
 * Exports bounded end to end. DuckDB writes each one into a private temporary file (engine speed, memory flat in
 * the row count), which is then streamed to the client and removed when the stream closes, however it ends. From
 * its slot to its file: a slot is held until the client has read the whole file (or is cut off), so the number of
 * files on disk is bounded; all files together stay within `spaceBytes` (an export whose next writes would pass
 * it is stopped while DuckDB writes it, and answered 503 with Retry-After, before a byte is sent: an export being
 * streamed is never cut short for space); a client that reads nothing for `idleMs` is cut off; and DuckDB's
 * writing is interrupted past `timeoutMs`.
 */
export class Exports {
  readonly #limits: ExportLimits;
  readonly #gate: Gate;
  /** Bytes the export files take now, as last seen. */
  #used = 0;

  constructor(limits: ExportLimits) {
    this.#limits = limits;
    this.#gate = new Gate({
      capacity: limits.slots,
      maxWaiting: 32 * limits.slots,
      maxWaitMs: limits.maxWaitMs,
      what: 'an export slot',
    });
  }

  /**
   * Runs `work` holding an export slot. The slot goes with the stream `work` writes, and is released when that
   * stream closes, or when `work` ends without one.
   */
  async withSlot<T>(work: (write: ExportWriter) => Promise<T>): Promise<T> {
    const leave = await this.#gate.enter();
    let streaming = false;
    try {
      return await work(async (connection, statement, format) => {
        const stream = await this.#write(connection, statement, format, leave);
        streaming = true;
        return stream;
      });
    } finally {
      if (!streaming) leave();
    }
  }

  async #write(
    connection: DuckDBConnection,
    statement: Statement,
    format: Exclude<Format, 'json'>,
    leave: () => void,
  ): Promise<Readable> {
    const { folder, spaceBytes, timeoutMs } = this.#limits;
    const dir = await mkdtemp(path.join(folder, 'odp-export-'));
    const file = path.join(dir, `export.${format}`);
    const size = this.#measure(file);
    // Every write DuckDB makes is seen here as it lands. DuckDB may land a write or two more before an interrupt
    // takes hold, so an export is stopped once two more writes as large as its largest would pass the space.
    let stopped = false;
    const watcher = watch(dir, () => {
      if (stopped || size.update() + 2 * size.step <= spaceBytes) return;
      stopped = true;
      connection.interrupt();
    });
    try {
      await withDeadline(connection, timeoutMs, () =>
        connection.run(copySql(statement, file, format), statement.params),
      );
      if (size.update() > spaceBytes) stopped = true;
      if (stopped) throw new Error('stopped at the space export files may take');
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      size.release();
      throw stopped ? this.#full() : error;
    } finally {
      watcher.close();
    }
    return this.#stream(file, dir, size, leave);
  }

  /**
   * The file streamed to the client through a meter that sees each chunk the client takes in: no chunk for
   * `idleMs` is a client reading nothing, and destroying the meter ends the response (the app logs why). However
   * the stream ends, its slot, file and space are freed.
   */
  #stream(file: string, dir: string, size: { release(): void }, leave: () => void): Readable {
    const { idleMs } = this.#limits;
    const idle = setTimeout(
      () => meter.destroy(new Error(`export cut off: its client read nothing for ${idleMs} ms`)),
      idleMs,
    );
    const meter = new Transform({
      transform(chunk, _encoding, next) {
        idle.refresh();
        next(null, chunk);
      },
    });
    pipeline(createReadStream(file, { highWaterMark: 1 << 16 }), meter, () => {
      clearTimeout(idle);
      leave();
      void rm(dir, { recursive: true, force: true }).finally(() => size.release());
    });
    return meter;
  }

  /** Follows one export file's size in the space all of them share. */
  #measure(file: string): { update(): number; step: number; release(): void } {
    let seen = 0;
    const size = {
      /** The largest single growth seen: what the next write may add. */
      step: 0,
      /** Reads the file's size, counts its growth, and returns what all export files take now. */
      update: () => {
        let now = seen;
        try {
          now = statSync(file).size;
        } catch {
          // Not created yet.
        }
        size.step = Math.max(size.step, now - seen);
        this.#used += now - seen;
        seen = now;
        return this.#used;
      },
      release: () => {
        this.#used -= seen;
        seen = 0;
      },
    };
    return size;
  }

  /** Space frees as exports are read or cut off: a client that reads nothing holds it for `idleMs` at most. */
  #full(): Problem {
    const { spaceBytes, idleMs } = this.#limits;
    return new Problem(
      503,
      'Busy',
      `the service is busy (this export would take the export files past the ${mb(spaceBytes)} they may take); retry shortly`,
      { headers: { 'Retry-After': String(Math.ceil(idleMs / 1000)) } },
    );
  }
}

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
