import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { messageOf } from '../../src/errors.js';
import { rows } from '../../src/lake/query.js';
import { createLogger } from '../../src/log.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { fromSource } from '../../src/sources/source.js';
import { ScaleOut } from '../../standins/scaleOut.js';
import { ndjson } from '../fixtures/sandbox.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';
import { TokenAuthority } from './tokens.js';

const LIFETIME_MS = 3000;

describe('scale-out: signing in to the catalog with expiring tokens', function () {
  this.timeout(120_000);
  let stack: ScaleOut;
  let tokens: TokenAuthority;
  let runtime: Runtime | undefined;

  before(async () => {
    stack = await startReadingsStack();
    tokens = await TokenAuthority.start(stack.postgres, ScaleOut.role);
  });
  after(async () => {
    runtime?.close();
    tokens?.close();
    await stack?.stop();
  });

  it('signs in again before each token expires, without failing reads or runs in flight', async () => {
    const credential = tokens.credential(LIFETIME_MS);
    const { PGPASSWORD: _none, ...env } = stack.env();
    runtime = await openRuntime(
      loadConfig({ ...env, ODP_CATALOG_AUTH: 'entra' }),
      createLogger('silent'),
      credential,
    );
    const p = runtime;
    const errors: string[] = [];
    let reads = 0;
    const count = () =>
      p.lake.session((c) => rows<{ n: string }>(c, 'SELECT count(*) AS n FROM lake.odp.runs'));

    // Readers and writers keep the lake busy across several token lifetimes.
    const deadline = Date.now() + 3.5 * LIFETIME_MS;
    const reader = (async () => {
      while (Date.now() < deadline) {
        await count().then(
          () => reads++,
          (error: unknown) => errors.push(`read: ${messageOf(error)}`),
        );
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const dataset = p.dataset('readings');
    const runs: string[] = [];
    for (let v = 1; Date.now() < deadline; v++) {
      const records = Array.from({ length: 50_000 }, (_, i) => ({ id: `r${i}`, v, value: i, label: 'x' }));
      await writeFile(path.join(stack.datasets, 'readings.ndjson'), ndjson(records));
      const run = await ingest(p, { dataset, trigger: 'manual', input: fromSource(dataset, 'bundled') });
      runs.push(run.status);
      if (run.error) errors.push(`run: ${run.error}`);
    }
    await reader;

    expect(errors, errors.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(reads).to.be.greaterThan(20);
    expect(runs.length).to.be.greaterThan(1);
    expect(tokens.issued.length, 'renewals').to.be.at.least(4);
    expect(tokens.refused.length, 'sign-ins the catalog refused').to.equal(0);

    // The first token has expired: it no longer signs anybody in.
    const stale = new pg.Client({
      host: '127.0.0.1',
      port: stack.postgres.port,
      user: ScaleOut.role,
      database: ScaleOut.database,
      password: tokens.issued[0]?.secret,
    });
    const refused = await stale.connect().then(
      () => 'signed in',
      (error: unknown) => messageOf(error),
    );
    await stale.end().catch(() => undefined);
    expect(refused).to.match(/RADIUS authentication failed/);

    // The catalog server drops every connection (a failover, say): the lake reconnects with the current token.
    const dropped = await stack.catalog(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'odp_service'",
    );
    expect(dropped.length).to.be.greaterThan(0);
    const [after] = await count();
    expect(Number(after?.n)).to.equal(runs.length);
  });
});
