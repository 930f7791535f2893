import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { OdpError } from '../src/errors.js';
import { provisionExtensions } from '../src/extensions/provision.js';
import { extensionDir } from './setup.js';

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
    ]);
  });

  it("falls back to the Python package index's same-version wheel when DuckDB's repository is unreachable", async () => {
    // DuckDB's repository is unreachable here (as in any offline build); the index is the real one.
    const [ducklake] = await provisionExtensions(empty, { names: ['ducklake'] });
    expect(ducklake?.origin).to.equal('python-package-index');
    expect(ducklake?.path).to.match(/\/v1\.5\.5\/[a-z0-9_]+\/ducklake\.duckdb_extension$/);
    const again = await provisionExtensions(empty, { names: ['ducklake'] });
    expect(again[0]?.origin).to.equal('already-installed');
  });

  it('says what failed at each source when an extension cannot be had', async () => {
    const index = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => index.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(index.address() as AddressInfo).port}/simple`;
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
