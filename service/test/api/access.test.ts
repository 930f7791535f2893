import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { KeyStore } from '../../src/access/keys.js';
import { localRateLimiter } from '../../src/access/rateLimit.js';
import { odp } from '../fixtures/cli.js';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

/** Every route the router serves under /v1, with its parameters filled in. */
function v1Routes(server: ApiServer): string[] {
  const values: Record<string, string> = { name: 'readings', key: 'a' };
  return server.api.router.stack
    .map((layer) => ({ path: String(layer.path), methods: layer.methods }))
    .filter((layer) => layer.path.startsWith('/v1') && layer.methods.includes('GET'))
    .map((layer) => layer.path.replace(/:(\w+)/g, (_: string, p: string) => values[p] ?? 'x'));
}

describe('API keys, scopes and rate limits', () => {
  let sandbox: Sandbox;
  let server: ApiServer;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write('readings.ndjson', ndjson([{ id: 'a', v: 1, value: 1 }]));
    await sandbox.ingest('readings');
    // ODP_METRICS_PUBLIC is left unset: its default is what a new installation gets.
    server = await ApiServer.start(sandbox, {
      ODP_RATE_LIMIT_READ_PER_SECOND: '2',
      ODP_RATE_LIMIT_READ_BURST: '1000',
    });
  });
  after(async () => {
    await server.close();
    await sandbox.close();
  });

  it('answers 401 on every /v1 route of the router without a key or with an unknown one', async () => {
    const routes = v1Routes(server);
    expect(routes.length).to.be.greaterThanOrEqual(8);
    for (const route of [...routes, '/v1/not-a-route']) {
      const missing = await server.get(route, { key: null });
      expect(missing.status, `${route} without a key`).to.equal(401);
      expect(missing.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(missing.headers.get('content-type')).to.match(/problem\+json/);
      const forged = await server.get(route, { key: `odp_000000000000_${'A'.repeat(43)}` });
      expect(forged.status, `${route} with an unknown key`).to.equal(401);
    }
  });

  it('accepts the key as Authorization: Bearer and as X-API-Key', async () => {
    expect(
      (await server.get('/v1/datasets', { key: null, headers: { 'x-api-key': server.read } })).status,
    ).to.equal(200);
    expect((await server.get('/v1/datasets')).status).to.equal(200);
  });

  it('answers 403 when the key’s scope is too small, and leaves health and docs open', async () => {
    const quarantine = await server.json<{ detail: string }>('/v1/datasets/readings/quarantine', 403);
    expect(quarantine.detail).to.match(/needs a key with scope admin/);
    expect((await server.get('/v1/datasets/readings/quarantine', { scope: 'admin' })).status).to.equal(200);
    for (const open of ['/healthz', '/readyz', '/docs', '/openapi.json']) {
      expect((await server.get(open, { key: null })).status, open).to.equal(200);
    }
    // By default Prometheus needs an admin key.
    expect((await server.get('/metrics', { key: null })).status).to.equal(401);
    expect((await server.get('/metrics')).status).to.equal(403);
    expect((await server.get('/metrics', { scope: 'admin' })).status).to.equal(200);
  });

  it('keys made and revoked by `odp keys` while the server runs take effect without a restart', async () => {
    const env = { ...sandbox.env, ODP_API_KEYS_FILE: server.keys.file };
    const created = await odp(['keys', 'create', '--name', 'analyst', '--scope', 'read', '--json'], env).done;
    expect(created.code, created.stderr).to.equal(0);
    const { key, id } = JSON.parse(created.stdout) as { key: string; id: string };
    expect(await readFile(server.keys.file, 'utf8')).not.to.include(key);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await server.get('/v1/datasets', { key })).status).to.equal(200);

    const listed = await odp(['keys', 'list'], env).done;
    expect(listed.stdout).to.match(new RegExp(`${id}\\s+read\\s+analyst`));
    const revoked = await odp(['keys', 'revoke', id], env).done;
    expect(revoked.code, revoked.stderr).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await server.get('/v1/datasets', { key })).status).to.equal(401);

    const badScope = await odp(['keys', 'create', '--name', 'x', '--scope', 'owner'], env).done;
    expect(badScope.code).to.equal(1);
    expect(badScope.stderr).to.match(/--scope must be read or admin, not "owner"/);
  });

  it('rate-limits per key with RateLimit headers, then 429 and Retry-After', async () => {
    const limited = await ApiServer.start(sandbox, {
      ODP_API_KEYS_FILE: path.join(sandbox.dir, 'limited-keys.json'),
      ODP_RATE_LIMIT_READ_PER_SECOND: '0.5',
      ODP_RATE_LIMIT_READ_BURST: '3',
    });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await limited.get('/v1/datasets');
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get('ratelimit-limit')).to.equal('3');
          expect(last.headers.get('ratelimit-remaining')).to.equal('2');
        }
      }
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).to.be.within(1, 6);
      expect(((await last!.json()) as { detail: string }).detail).to.match(/retry in \d s/);
      // Another key has its own bucket.
      expect((await limited.get('/v1/datasets', { scope: 'admin' })).status).to.equal(200);
    } finally {
      await limited.close();
    }
  });

  it('allows `burst` requests per window of burst / perSecond seconds, then counts again', async () => {
    const limiter = localRateLimiter();
    const limits = { perSecond: 4, burst: 2 };
    const first = await Promise.all([1, 2, 3].map(() => limiter.take('k', limits)));
    expect(first.map((d) => d.allowed)).to.deep.equal([true, true, false]);
    expect(first[2]).to.include({ remaining: 0, retryAfterSeconds: 1 });
    // Another key has its own count.
    expect(await limiter.take('other', limits)).to.include({ allowed: true, remaining: 1 });
    await new Promise((resolve) => setTimeout(resolve, 550));
    expect(await limiter.take('k', limits)).to.include({ allowed: true, remaining: 1 });
  });

  it('sends security headers, and CORS only to the origins configured', async () => {
    const plain = await server.get('/v1/datasets', { headers: { origin: 'https://app.example' } });
    expect(plain.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(plain.headers.get('content-security-policy')).to.match(/script-src 'self'/);
    expect(plain.headers.get('access-control-allow-origin'), 'CORS is off by default').to.equal(null);

    const cors = await ApiServer.start(sandbox, {
      ODP_API_KEYS_FILE: path.join(sandbox.dir, 'cors-keys.json'),
      ODP_CORS_ORIGINS: 'https://app.example',
    });
    try {
      const allowed = await cors.get('/v1/datasets', { headers: { origin: 'https://app.example' } });
      expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers')).to.include('ETag');
      const other = await cors.get('/v1/datasets', { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    } finally {
      await cors.close();
    }
  });

  it('refuses oversized query strings and bodies before doing any work', async () => {
    const long = await server.get(`/v1/datasets/readings/records?label=eq.${'x'.repeat(9000)}`);
    expect(long.status).to.equal(414);
    const body = await fetch(`${server.url}/v1/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.read}` },
      body: 'x'.repeat(20_000),
    });
    expect(body.status).to.equal(413);
  });
});

describe('a valid API key is never refused, while the keys file is first read or changes', () => {
  let sandbox: Sandbox;
  let server: ApiServer | undefined;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write('readings.ndjson', ndjson([{ id: 'a', v: 1, value: 1 }]));
    await sandbox.ingest('readings');
  });
  after(async () => {
    await server?.close();
    await sandbox.close();
  });

  const statuses = async (key: string, n: number) =>
    Promise.all(Array.from({ length: n }, async () => (await server!.get('/v1/datasets', { key })).status));

  it('answers concurrent requests the moment the server listens, and /readyz waits for the keys', async () => {
    server = await ApiServer.start(sandbox);
    // Nothing has read the keys file yet: every one of these arrives before the first read ends.
    const [first, ready] = await Promise.all([
      statuses(server.read, 24),
      server.get('/readyz', { key: null }),
    ]);
    expect(first).to.deep.equal(Array(24).fill(200));
    expect(ready.status).to.equal(200);
  });

  it('accepts a key at once when another process has just created it, and refuses it within a second of revocation', async () => {
    // `odp keys create` in another process: the serving process's store has read the file less than 1 s ago.
    const { key, record } = await new KeyStore(server!.keys.file).create('created while serving', 'read');
    expect(await statuses(key, 12)).to.deep.equal(Array(12).fill(200));
    await new KeyStore(server!.keys.file).revoke(record.id);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 3000) {
      status = (await server!.get('/v1/datasets', { key })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).to.equal(401);
    expect(Date.now() - revokedAt).to.be.below(1500);
    // The other keys were served throughout.
    expect(await statuses(server!.read, 6)).to.deep.equal(Array(6).fill(200));
  });
});
