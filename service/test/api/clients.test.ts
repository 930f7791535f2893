import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { exportFiles, readingsReplica } from '../fixtures/readingsReplica.js';
import { until } from '../fixtures/until.js';

const ROWS = 300_000;

/** Peak and current resident memory of a process, in MB, as Linux keeps them. */
async function memory(pid: number): Promise<{ peakMb: number; nowMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return { peakMb: Math.round(kb('VmHWM') / 1024), nowMb: Math.round(kb('VmRSS') / 1024) };
}
const openFiles = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

/** The records an export holds: lines of NDJSON, lines of CSV after its header, rows of a Parquet file. */
async function rowsIn(format: string, body: Buffer): Promise<number> {
  if (format !== 'parquet') {
    const lines = body
      .toString()
      .split('\n')
      .filter((line) => line !== '').length;
    return format === 'csv' ? lines - 1 : lines;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'odp-export-check-'));
  const engine = await DuckDBInstance.create(':memory:');
  try {
    await writeFile(path.join(dir, 'export.parquet'), body);
    const connection = await engine.connect();
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(dir, 'export.parquet')}')`,
    );
    connection.closeSync();
    return reader.getRowObjects()[0]?.n as number;
  } finally {
    engine.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A raw connection, for clients no HTTP library would be: slow, partial, oversized. */
function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('misbehaving clients: limits hold, memory stays bounded, others are still served', function () {
  this.timeout(240_000);
  const replica = readingsReplica(ROWS);

  /** How long a small JSON request takes while whatever else is going on goes on. */
  async function timedRead(): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    const response = await replica.server.get(
      '/v1/datasets/readings/records?limit=10&value=gte.500',
      replica.key,
    );
    await response.arrayBuffer();
    return { status: response.status, ms: Math.round(performance.now() - started) };
  }

  it('cuts off clients that trickle their headers at 15 s, while serving others meanwhile', async () => {
    const slow = await Promise.all(Array.from({ length: 50 }, () => rawSocket(replica.port)));
    const closedAt = slow.map(
      (socket) =>
        new Promise<{ ms: number; answer: string }>((resolve) => {
          const opened = Date.now();
          let answer = '';
          socket.on('data', (chunk: Buffer) => {
            answer += chunk.toString();
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve({ ms: Date.now() - opened, answer }));
        }),
    );
    const trickle = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('X');
    }, 500);
    for (const socket of slow) socket.write('GET /v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    try {
      const during = await timedRead();
      expect(during.status).to.equal(200);
      const closed = await Promise.all(closedAt);
      for (const { ms, answer } of closed) {
        expect(ms).to.be.within(14_000, 20_000);
        expect(answer).to.match(/^HTTP\/1\.1 408/);
      }
      replica.report.push(
        `50 clients trickling headers: cut off after ${Math.max(...closed.map((c) => c.ms))} ms at most (408); a read meanwhile took ${during.ms} ms`,
      );
    } finally {
      clearInterval(trickle);
      for (const socket of slow) socket.destroy();
    }
  });

  it('refuses a long query string (414), long headers (431) and an announced large body (413) at once', async () => {
    const longQuery = await replica.server.get(
      `/v1/datasets/readings/records?label=eq.${'x'.repeat(9_000)}`,
      replica.key,
    );
    expect(longQuery.status).to.equal(414);
    const socket = await rawSocket(replica.port);
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    socket.write(`GET /v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    expect(await answer).to.match(/^HTTP\/1\.1 431/);
    const body = await replica.server.get('/v1/datasets/readings/runs', replica.key, {
      method: 'POST',
      headers: { 'content-length': '1000000', 'content-type': 'application/json' },
      body: 'x'.repeat(1_000_000),
    });
    expect(body.status).to.equal(413);
  });

  it('serves 24 concurrent whole-table exports within bounded memory, and a small read meanwhile', async () => {
    const formats = ['csv', 'ndjson', 'parquet'] as const;
    const exportOf = async (format: string) => {
      const response = await replica.server.get(
        `/v1/datasets/readings/records?format=${format}`,
        replica.key,
      );
      return { format, status: response.status, body: Buffer.from(await response.arrayBuffer()) };
    };
    // Each format exported alone first: what a whole export holds.
    const whole = new Map<string, Buffer>();
    for (const format of formats) {
      const alone = await exportOf(format);
      expect(alone.status, format).to.equal(200);
      expect(await rowsIn(format, alone.body), `rows of the ${format} export`).to.equal(ROWS);
      whole.set(format, alone.body);
    }
    const before = await memory(replica.server.pid);
    let firstAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      firstAnswered = resolve;
    });
    const exports = Array.from({ length: 24 }, async (_, i) => {
      const format = formats[i % 3] as string;
      const response = await replica.server.get(
        `/v1/datasets/readings/records?format=${format}`,
        replica.key,
      );
      firstAnswered();
      return { format, status: response.status, body: Buffer.from(await response.arrayBuffer()) };
    });
    // The small read goes while exports stream.
    await answered;
    const during = await timedRead();
    const done = await Promise.all(exports);
    const after = await memory(replica.server.pid);
    const served = done.filter((d) => d.status === 200);
    expect(during.status).to.equal(200);
    // Each export is whole, or refused as busy with a Retry-After (never cut short).
    for (const d of done) expect([200, 503]).to.include(d.status);
    for (const d of served) {
      expect(await rowsIn(d.format, d.body), `rows of a concurrent ${d.format} export`).to.equal(ROWS);
      // Text exports hold the same bytes in any order; a Parquet file's layout may differ with its row groups.
      if (d.format !== 'parquet') {
        expect(d.body.length, `bytes of a concurrent ${d.format} export`).to.equal(
          whole.get(d.format)?.length,
        );
      }
    }
    expect(served.length).to.be.at.least(4);
    expect(after.peakMb, 'peak RSS').to.be.below(1_500);
    replica.report.push(
      `24 concurrent whole-table exports (${ROWS} rows): ${served.length} served whole (${Math.round(served.reduce((s, d) => s + d.body.length, 0) / 2 ** 20)} MB), ${done.length - served.length} busy; peak RSS ${after.peakMb} MB (${before.nowMb} MB before); a read meanwhile took ${during.ms} ms`,
    );
  });

  it('leaks no session, temporary file or descriptor when clients disconnect mid-export', async () => {
    await timedRead();
    const filesBefore = await openFiles(replica.server.pid);
    const aborted = Array.from({ length: 16 }, async () => {
      const controller = new AbortController();
      const response = await replica.server.get('/v1/datasets/readings/records?format=csv', replica.key, {
        signal: controller.signal,
      });
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort();
      return response.status;
    });
    // An export waits for one of a few slots for at most a request's timeout: on a loaded machine some of the 16
    // are answered 503 (busy, with Retry-After), theirs to retry; those must leak nothing either.
    const statuses = await Promise.all(aborted);
    expect(
      statuses.filter((status) => status !== 200 && status !== 503),
      'statuses',
    ).to.deep.equal([]);
    const cut = statuses.filter((status) => status === 200).length;
    expect(cut, 'exports cut off mid-stream').to.be.greaterThan(0);
    // Once the server has seen the resets, it keeps nothing of those exports.
    let files = 0;
    await until(
      `no temporary export file left and at most ${filesBefore + 2} open descriptors`,
      async () => {
        files = await openFiles(replica.server.pid);
        const left = (await exportFiles(replica.sandbox.dir)).count;
        return files <= filesBefore + 2 && left === 0 ? true : undefined;
      },
      30_000,
    );
    // Every session is free again: more concurrent reads than there are sessions are all answered.
    const reads = await Promise.all(Array.from({ length: 12 }, () => timedRead()));
    expect(reads.map((r) => r.status)).to.deep.equal(Array(12).fill(200));
    replica.report.push(
      `16 clients disconnecting mid-export (${cut} mid-stream, ${16 - cut} answered busy): descriptors ${filesBefore} before, ${files} after; 0 temporary files left; 12 concurrent reads then took ≤ ${Math.max(...reads.map((r) => r.ms))} ms`,
    );
  });
});
