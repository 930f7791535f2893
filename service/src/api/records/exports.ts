import { execFile } from 'node:child_process';
import { closeSync, constants, createReadStream, openSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { pipeline as pipelined } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Statement } from '../../lake/query.js';
import { Gate } from '../http/gate.js';
import { Problem } from '../http/problem.js';
import { withDeadline } from '../http/sessions.js';
import { copySql } from './formats.js';
import type { Format } from './query.js';

const run = promisify(execFile);

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

/** An export's file, and the bytes it holds of the space all of them share. */
interface ExportFile {
  dir: string;
  file: string;
  bytes: number;
}

/**
 * Exports bounded end to end. DuckDB writes each one at engine speed (memory flat in the row count) into a pipe
 * that this process drains into a private temporary file, counting every byte; the file is then streamed to the
 * client and removed when the stream closes, however it ends. A slot is held until the client has read the whole
 * file (or is cut off), so the number of files is bounded; all files together never take more than `spaceBytes`
 * (an export that would pass it is stopped while DuckDB writes it, and answered 503 with Retry-After before a byte
 * is sent; one already streaming is never cut short for space); a client that reads nothing for `idleMs` is cut
 * off; and DuckDB's writing is interrupted past `timeoutMs`.
 */
export class Exports {
  readonly #limits: ExportLimits;
  readonly #gate: Gate;
  /** Bytes the export files take now. */
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
        const written = await this.#write(connection, statement, format);
        streaming = true;
        return this.#stream(written, leave);
      });
    } finally {
      if (!streaming) leave();
    }
  }

  /**
   * DuckDB copies the export into a pipe (a FIFO) and this process moves it into the file, taking each chunk's
   * bytes from the space first: a chunk that would pass it stops the export, so no byte past the space is ever
   * written. The pipe is opened here first, for reading and, until DuckDB is done, for writing too, so reading
   * never blocks and never sees its end before DuckDB has written it all; the file too, before DuckDB starts.
   */
  async #write(
    connection: DuckDBConnection,
    statement: Statement,
    format: Exclude<Format, 'json'>,
  ): Promise<ExportFile> {
    const { folder, spaceBytes, timeoutMs } = this.#limits;
    const dir = await mkdtemp(path.join(folder, 'odp-export-'));
    const written: ExportFile = { dir, file: path.join(dir, `export.${format}`), bytes: 0 };
    const fifo = path.join(dir, 'pipe');
    let full = false;
    let failure: unknown;
    try {
      await run('mkfifo', ['-m', '600', fifo]);
      const source = new Socket({
        fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK),
        writable: false,
      });
      const holder = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      // Opened before DuckDB starts: a file that cannot be opened (no space, no descriptor) would otherwise end the
      // pipe's reader while DuckDB blocks, for good, opening the pipe to write.
      const destination = await open(written.file, 'w').catch((error: unknown) => {
        closeSync(holder);
        source.destroy();
        throw error;
      });
      const counted = new Transform({
        transform: (chunk: Buffer, _encoding, next) => {
          if (this.#used + chunk.length > spaceBytes) {
            full = true;
            connection.interrupt();
            next(new Error('the export files would pass their space'));
            return;
          }
          this.#used += chunk.length;
          written.bytes += chunk.length;
          next(null, chunk);
        },
      });
      const landed = pipelined(
        source,
        counted,
        destination.createWriteStream({ highWaterMark: 1 << 22 }),
      ).catch((error: unknown) => {
        failure ??= error;
      });
      await withDeadline(connection, timeoutMs, () =>
        connection.run(copySql(statement, fifo, format), statement.params),
      ).catch((error: unknown) => {
        failure ??= error;
      });
      closeSync(holder);
      await landed;
    } catch (error) {
      failure ??= error;
    }
    if (full || failure !== undefined) {
      await this.#remove(written);
      throw full ? this.#full() : failure;
    }
    return written;
  }

  /**
   * The file streamed to the client through a meter that sees each chunk the client takes in: no chunk for
   * `idleMs` is a client reading nothing, and destroying the meter ends the response (the app logs why). However
   * the stream ends, its slot, file and space are freed.
   */
  #stream(written: ExportFile, leave: () => void): Readable {
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
    pipeline(createReadStream(written.file, { highWaterMark: 1 << 16 }), meter, () => {
      clearTimeout(idle);
      leave();
      void this.#remove(written);
    });
    return meter;
  }

  /** Removes an export's folder, then gives its bytes back to the space. */
  async #remove(written: ExportFile): Promise<void> {
    await rm(written.dir, { recursive: true, force: true });
    this.#used -= written.bytes;
    written.bytes = 0;
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
