import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { Problem } from '../../src/api/http/problem.js';
import { type ExportLimits, Exports } from '../../src/api/records/exports.js';
import { exportFiles, readingsReplica } from '../fixtures/readingsReplica.js';
import { until } from '../fixtures/until.js';

const MB = 2 ** 20;

/** What `promise` fails with, or undefined when it does not. */
const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/**
 * A client that asks for an export and then reads nothing: it takes in the response head (and whatever came with
 * it), then stops reading, so the server's writes back up once the kernel's buffers are full.
 */
class StalledReader {
  status = 0;
  head = '';
  received = 0;
  ended = false;
  readonly #socket: Socket;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  static async start(port: number, pathAndQuery: string, key: string): Promise<StalledReader> {
    const socket = connect(port, '127.0.0.1');
    const reader = new StalledReader(socket);
    socket.on('error', () => {
      reader.ended = true;
    });
    socket.on('close', () => {
      reader.ended = true;
    });
    await new Promise<void>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.pause();
        socket.off('data', onData);
        reader.head = text.slice(0, end);
        reader.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reader.head)?.[1]);
        reader.received = text.length - end - 4;
        resolve();
      };
      socket.on('data', onData);
      socket.write(
        `GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
      );
    });
    return reader;
  }

  header(name: string): string | undefined {
    return new RegExp(`^${name}: (.*)$`, 'im').exec(this.head)?.[1]?.trim();
  }

  /** Reads on from where it stopped until the server has closed the connection; returns the body's bytes. */
  async drain(): Promise<number> {
    this.#socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
    });
    this.#socket.resume();
    await until('the connection to close', async () => (this.ended ? true : undefined));
    return this.received;
  }

  close(): void {
    this.#socket.destroy();
  }
}

describe('exports are bounded end to end: slots, temporary space, idle clients', function () {
  this.timeout(300_000);
  const ROWS = 300_000;
  const SPACE_MB = 24;
  // Long enough that a client reading on a loaded machine is never taken for one reading nothing.
  const IDLE_MS = 10_000;
  const replica = readingsReplica(ROWS, {
    // Slots for every client here: what bounds the files is the space they may take.
    ODP_API_SESSIONS: '16',
    ODP_EXPORT_SPACE_MB: String(SPACE_MB),
    ODP_EXPORT_IDLE_MS: String(IDLE_MS),
  });

  it('10 clients that read nothing keep the export files within their space and are cut off; others are served', async () => {
    // Exports of about 10 MB each: two fit in the space, a third would not.
    const sample = await replica.server.get(
      '/v1/datasets/readings/records?format=csv&limit=1000',
      replica.key,
    );
    const bytesPerRow = (await sample.arrayBuffer()).byteLength / 1000;
    const rows = Math.round((10 * MB) / bytesPerRow);
    const exportPath = `/v1/datasets/readings/records?format=csv&limit=${rows}`;

    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await exportFiles(replica.sandbox.dir)).bytes);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const stalled: StalledReader[] = [];
    try {
      for (let i = 0; i < 10; i++)
        stalled.push(await StalledReader.start(replica.port, exportPath, replica.key));
      const served = stalled.filter((s) => s.status === 200);
      const refused = stalled.filter((s) => s.status === 503);
      expect(served.length + refused.length, stalled.map((s) => s.head).join('\n')).to.equal(10);
      // Two fit; a third fits again only once the first is cut off, which a slow machine may reach meanwhile.
      expect(served.length, 'exports written in full').to.be.at.least(1);
      expect(refused.length, 'exports stopped at the space').to.be.at.least(2);
      for (const s of refused) expect(s.header('Retry-After')).to.equal(String(IDLE_MS / 1000));

      // Meanwhile others are served: a page at once, an export as soon as the space is free again.
      const page = await replica.server.get('/v1/datasets/readings/records?limit=10', replica.key);
      expect(page.status).to.equal(200);
      await page.arrayBuffer();

      const stalledAt = Date.now();
      await until('the stalled exports to be cut off and their files removed', async () =>
        (await exportFiles(replica.sandbox.dir)).count === 0 ? true : undefined,
      );
      const cutOffMs = Date.now() - stalledAt;
      const whole = await replica.server.get(exportPath, replica.key);
      expect(whole.status).to.equal(200);
      const csv = await whole.text();
      expect(csv.trimEnd().split('\r\n')).to.have.length(rows + 1);
      for (const s of served) {
        const got = await s.drain();
        expect(got, 'bytes a stalled client got before it was cut off').to.be.below(Buffer.byteLength(csv));
      }
      replica.report.push(
        `10 stalled CSV exports of ${rows} rows (${(Buffer.byteLength(csv) / MB).toFixed(1)} MB each) in a space of ${SPACE_MB} MB: ${served.length} written, ${refused.length} stopped (503); export files peaked at ${(peak / MB).toFixed(1)} MB; cut off ${cutOffMs} ms after the last was answered (idle limit ${IDLE_MS} ms)`,
      );
    } finally {
      sampling = false;
      await sampler;
      for (const s of stalled) s.close();
    }
    expect(peak / MB, 'export files at their largest (MB)').to.be.at.most(SPACE_MB);
  });
});

describe('an export holds its slot until its stream closes, and DuckDB has a deadline', function () {
  this.timeout(120_000);
  let folder: string;
  let duck: DuckDBInstance;
  const limits = (changes: Partial<ExportLimits>): ExportLimits => ({
    slots: 1,
    folder,
    spaceBytes: 256 * MB,
    idleMs: 60_000,
    timeoutMs: 60_000,
    maxWaitMs: 60_000,
    ...changes,
  });
  const rows = {
    sql: 'SELECT i, md5(i::VARCHAR) AS h FROM range(CAST(? AS BIGINT)) r(i)',
    params: ['100000'],
  };
  const closed = (stream: Readable) =>
    new Promise<Error | undefined>((resolve) => {
      let failure: Error | undefined;
      stream.once('error', (error) => {
        failure = error;
      });
      stream.once('close', () => resolve(failure));
    });

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'odp-exports-test-'));
    duck = await DuckDBInstance.create(':memory:');
  });
  after(async () => {
    duck?.closeSync();
    await rm(folder, { recursive: true, force: true });
  });

  it('a second export waits for the slot of one its client is still reading, and gets it once that closes', async () => {
    const exports = new Exports(limits({ maxWaitMs: 500 }));
    const first = await exports.withSlot(async (write) => write(await duck.connect(), rows, 'csv'));
    const refused = await failureOf(
      exports.withSlot(async (write) => write(await duck.connect(), rows, 'csv')),
    );
    expect(refused).to.be.instanceOf(Problem);
    expect((refused as Problem).message).to.match(/waited 500 ms for an export slot/);
    const firstClosed = closed(first);
    first.destroy();
    await firstClosed;
    const second = await exports.withSlot(async (write) => write(await duck.connect(), rows, 'csv'));
    const secondClosed = closed(second);
    second.destroy();
    await secondClosed;
    await until('no export file left', async () => ((await exportFiles(folder)).count ? undefined : true));
  });

  it('cuts off a stream nobody reads after the idle time, and removes its file', async () => {
    // Long enough that the file is still there when counted on a loaded machine.
    const exports = new Exports(limits({ idleMs: 2_000 }));
    const unread = await exports.withSlot(async (write) => write(await duck.connect(), rows, 'ndjson'));
    // Listening before anything else is awaited: the idle time runs from here.
    const ended = closed(unread);
    expect((await exportFiles(folder)).count).to.equal(1);
    expect((await ended)?.message).to.match(/read nothing for 2000 ms/);
    await until('its file to be removed', async () => ((await exportFiles(folder)).count ? undefined : true));
  });

  it('interrupts DuckDB writing an export past its deadline: 503, and no file left', async () => {
    const exports = new Exports(limits({ timeoutMs: 500 }));
    const endless = {
      sql: 'SELECT sum(a.i * b.i) AS s FROM range(1000000) a(i), range(1000000) b(i)',
      params: [],
    };
    const started = Date.now();
    const failure = await failureOf(
      exports.withSlot(async (write) => write(await duck.connect(), endless, 'parquet')),
    );
    expect(failure).to.be.instanceOf(Problem);
    expect((failure as Problem).status).to.equal(503);
    expect((failure as Problem).message).to.match(/took longer than 500 ms/);
    expect(Date.now() - started, 'ms until the export was answered').to.be.below(30_000);
    expect((await exportFiles(folder)).count).to.equal(0);
  });
});
