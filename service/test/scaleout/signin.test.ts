import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { pgClientConfig } from '../../src/config/conninfo.js';
import { messageOf } from '../../src/errors.js';
import { createEngine } from '../../src/lake/engine.js';
import { rows } from '../../src/lake/query.js';
import { literal } from '../../src/lake/quote.js';
import { createLogger } from '../../src/log.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { fromSource } from '../../src/sources/source.js';
import type { LocalPostgres } from '../../standins/postgres.js';
import { ScaleOut } from '../../standins/scaleOut.js';
import { ndjson } from '../fixtures/sandbox.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';
import { until } from '../fixtures/until.js';
import { TokenAuthority } from './tokens.js';

const LIFETIME_MS = 3000;
const run = promisify(execFile);

/**
 * Turns TLS on in `server` with a certificate for 127.0.0.1 from a CA of its own, as Azure Database for
 * PostgreSQL has one from a public CA; returns that CA's file. The server takes it on a reload.
 */
async function serveTls(server: LocalPostgres): Promise<string> {
  const dir = path.join(server.dir, 'tls');
  await mkdir(dir);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=ODP test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(
    path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  // The server reads its key only if no one else can; a root test run hands it to the server's user.
  await chmod(path.join(dir, 'server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    const [uid, gid] = [await id('-u'), await id('-g')];
    for (const file of ['', 'server.key', 'server.crt']) await chown(path.join(dir, file), uid, gid);
  }
  await server.admin(async (client) => {
    await client.query(`ALTER SYSTEM SET ssl_cert_file = '${path.join(dir, 'server.crt')}'`);
    await client.query(`ALTER SYSTEM SET ssl_key_file = '${path.join(dir, 'server.key')}'`);
    await client.query('ALTER SYSTEM SET ssl = on');
    await client.query('SELECT pg_reload_conf()');
  });
  const ca = path.join(dir, 'ca.crt');
  // The reload is asynchronous: wait until the server answers a verified TLS connection.
  let failure = '';
  await until(
    'PostgreSQL to take up TLS',
    async () => {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: server.port,
        user: 'odp_admin',
        password: server.adminPassword,
        database: 'postgres',
        ssl: { ca: await readFile(ca, 'utf8'), rejectUnauthorized: true },
      });
      failure = await client.connect().then(
        () => '',
        (error: unknown) => messageOf(error),
      );
      await client.end().catch(() => undefined);
      return failure ? undefined : true;
    },
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${messageOf(error)}: ${failure}`);
  });
  return ca;
}

describe('scale-out: signing in to the catalog with expiring tokens', function () {
  this.timeout(120_000);
  let stack: ScaleOut;
  let tokens: TokenAuthority;
  let ca: string;
  let runtime: Runtime | undefined;

  before(async () => {
    stack = await startReadingsStack();
    tokens = await TokenAuthority.start(stack.postgres, ScaleOut.role);
    ca = await serveTls(stack.postgres);
  });
  after(async () => {
    runtime?.close();
    tokens?.close();
    await stack?.stop();
  });

  it('signs in again before each token expires, without failing reads or runs in flight', async () => {
    const credential = tokens.credential(LIFETIME_MS);
    const { PGPASSWORD: _none, ...env } = stack.env();
    // Over TLS, checking the server's certificate and name, as in Azure.
    runtime = await openRuntime(
      loadConfig({
        ...env,
        ODP_CATALOG: `postgres:${stack.conninfo} sslmode=verify-full sslrootcert=${ca}`,
        ODP_CATALOG_AUTH: 'entra',
      }),
      createLogger('silent'),
      credential,
    );
    const p = runtime;
    const errors: string[] = [];
    let reads = 0;
    const count = () =>
      p.lake.session((c) => rows<{ n: string }>(c, 'SELECT count(*) AS n FROM lake.odp.runs'));

    // Readers and writers keep the lake busy across several token lifetimes, and on a loaded machine past them
    // until both have done enough (or failed): the deadline is the least they run.
    const deadline = Date.now() + 3.5 * LIFETIME_MS;
    const reader = (async () => {
      while (Date.now() < deadline || (reads <= 20 && errors.length === 0)) {
        await count().then(
          () => reads++,
          (error: unknown) => errors.push(`read: ${messageOf(error)}`),
        );
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const dataset = p.dataset('readings');
    const runs: string[] = [];
    for (let v = 1; Date.now() < deadline || (runs.length <= 1 && errors.length === 0); v++) {
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
    // Every connection the service holds (DuckDB's through libpq, the leases' through node-postgres) is TLS.
    const sessions = await stack.catalog<{ ssl: boolean; application_name: string }>(
      `SELECT s.ssl, a.application_name FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
       WHERE a.usename = 'odp_service'`,
    );
    expect(sessions.length).to.be.greaterThan(0);
    expect(sessions.filter((session) => !session.ssl)).to.deep.equal([]);

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

  it('sends no token to a server whose certificate the system’s trusted roots do not vouch for', async () => {
    const { PGPASSWORD: _none, ...env } = stack.env();
    // verify-full against the system's roots (the default): this server's CA is not one of them.
    const config = loadConfig({
      ...env,
      ODP_CATALOG: `postgres:${stack.conninfo} sslmode=verify-full`,
      ODP_CATALOG_AUTH: 'entra',
    });
    expect(config.catalog).to.deep.include({ kind: 'postgres' });
    const { conninfo } = config.catalog as { conninfo: string };
    expect(conninfo).to.match(/sslrootcert='system'/);
    const requestsBefore = tokens.requests.length;

    const opened = await openRuntime(config, createLogger('silent'), tokens.credential(60_000)).then(
      (opened) => {
        opened.close();
        return 'opened';
      },
      (error: unknown) => messageOf(error),
    );
    // The service's first connection to the catalog (the setup lock's, node-postgres) refuses the server.
    expect(opened, 'the service').to.match(/unable to verify the first certificate/i);

    // libpq (DuckDB's postgres extension, which attaches the lake) refuses it on its own as well.
    const engine = await createEngine(config.extensionDir);
    const duck = await engine.connect();
    const attached = await duck
      .run(`ATTACH ${literal(`${conninfo} password='a token'`)} AS catalog_db (TYPE postgres)`)
      .then(
        () => 'attached',
        (error: unknown) => messageOf(error),
      )
      .finally(() => {
        duck.closeSync();
        engine.closeSync();
      });
    expect(attached, 'libpq (DuckDB)').to.match(/certificate verify failed/i);

    const client = new pg.Client(pgClientConfig(conninfo, 'a token', 'odp test'));
    const connected = await client.connect().then(
      () => 'connected',
      (error: unknown) => messageOf(error),
    );
    await client.end().catch(() => undefined);
    expect(connected, 'node-postgres').to.match(/unable to verify the first certificate/i);
    expect(tokens.requests.length, 'tokens that reached the server').to.equal(requestsBefore);
  });
});
