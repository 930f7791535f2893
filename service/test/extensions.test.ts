import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { OdpError } from '../src/errors.js';
import { provisionExtensions } from '../src/extensions/provision.js';
import { extensionDir } from './setup.js';

/** Listens on a free loopback port; returns the server's base URL. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('odp extensions install', function () {
  this.timeout(180_000);
  let empty: string;

  beforeEach(async () => {
    empty = await mkdtemp(path.join(os.tmpdir(), 'odp-ext-'));
  });
  afterEach(() => rm(empty, { recursive: true, force: true }));

  it('finds extensions already installed for this DuckDB version and verifies they load', async () => {
    const installed = await provisionExtensions(extensionDir);
    expect(installed.map((e) => [e.name, e.origin])).to.deep.equal([
      ['ducklake', 'already-installed'],
      ['postgres_scanner', 'already-installed'],
      ['azure', 'already-installed'],
      ['excel', 'already-installed'],
    ]);
  });

  it("installs from DuckDB's extension repository, here a local mirror of it", async () => {
    // The mirror serves the installed, signed binaries in the repository's layout, gzipped as DuckDB's is.
    const requested: string[] = [];
    const mirror = createServer(async (req, res) => {
      requested.push(req.url ?? '');
      const [, version, platform, file] = (req.url ?? '').split('/');
      const binary = await readFile(
        path.join(extensionDir, version!, platform!, file!.replace(/\.gz$/, '')),
      ).catch(() => undefined);
      if (!binary) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(gzipSync(binary));
    });
    const repository = await listen(mirror);
    try {
      const [ducklake] = await provisionExtensions(empty, { names: ['ducklake'], repository });
      expect(ducklake?.origin).to.equal('duckdb-repository');
      expect(requested).to.deep.equal([
        `/v1.5.5/${path.basename(path.dirname(ducklake!.path))}/ducklake.duckdb_extension.gz`,
      ]);
    } finally {
      mirror.close();
    }
  });

  it("falls back to the Python package index's same-version wheel when DuckDB's repository does not answer", async () => {
    // A port nothing listens on: the repository is down, the index is the real one.
    const closed = createServer();
    const repository = await listen(closed);
    closed.close();
    const [ducklake] = await provisionExtensions(empty, { names: ['ducklake'], repository });
    expect(ducklake?.origin).to.equal('python-package-index');
    expect(ducklake?.path).to.match(/\/v1\.5\.5\/[a-z0-9_]+\/ducklake\.duckdb_extension$/);
    const again = await provisionExtensions(empty, { names: ['ducklake'], repository });
    expect(again[0]?.origin).to.equal('already-installed');
  });

  it("uses DuckDB's own repository where it answers, the package index where it does not", async () => {
    // Which path runs depends on the network this machine has: both are right, each in its place.
    const reachable = await fetch(
      'http://extensions.duckdb.org/v1.5.5/linux_amd64/ducklake.duckdb_extension.gz',
      {
        method: 'HEAD',
        signal: AbortSignal.timeout(10_000),
      },
    ).then(
      (response) => response.ok,
      () => false,
    );
    const [ducklake] = await provisionExtensions(empty, { names: ['ducklake'] });
    expect(ducklake?.origin).to.equal(reachable ? 'duckdb-repository' : 'python-package-index');
  });

  it('says what failed at each source when an extension cannot be had', async () => {
    const index = createServer((_req, res) => res.writeHead(404).end());
    const url = `${await listen(index)}/simple`;
    try {
      const error = await provisionExtensions(empty, { names: ['azure'], pythonIndex: url }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(OdpError);
      expect((error as OdpError).message).to.match(
        /^could not provision DuckDB extensions:\n {2}azure \(v1\.5\.5, [a-z0-9_]+\): DuckDB repository: .+; Python package index: http:\/\/127\.0\.0\.1:\d+\/simple\/duckdb-extension-azure\/ answered 404$/,
      );
    } finally {
      index.close();
    }
  });
});
