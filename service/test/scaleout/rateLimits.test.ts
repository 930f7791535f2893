import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { KeyStore } from '../../src/access/keys.js';
import type { ScaleOut } from '../../standins/scaleOut.js';
import { Replica } from '../fixtures/replica.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';

describe('scale-out: rate limits hold across replicas', function () {
  this.timeout(180_000);
  let stack: ScaleOut;
  let replicas: Replica[] = [];
  let key: string;

  before(async () => {
    stack = await startReadingsStack();
    const env = {
      ...stack.env(),
      ODP_API_KEYS_FILE: path.join(stack.dir, 'api-keys.json'),
      // 10 requests per window of 100 s: no window ends during the test.
      ODP_RATE_LIMIT_READ_BURST: '10',
      ODP_RATE_LIMIT_READ_PER_SECOND: '0.1',
    };
    key = (await new KeyStore(env.ODP_API_KEYS_FILE).create('shared', 'read')).key;
    // Both start together, as a Deployment's replicas do; one that started is stopped even if the other failed.
    const started = await Promise.allSettled([Replica.start(env), Replica.start(env)]);
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await stack?.stop();
  });

  it('allows a key its limit once in total, however its requests are spread over two replicas', async () => {
    const statuses: number[][] = [[], []];
    for (let i = 0; i < 16; i++) {
      const which = i % 2;
      const response = await (replicas[which] as Replica).get('/v1/datasets', key);
      await response.arrayBuffer();
      (statuses[which] as number[]).push(response.status);
    }
    const allowed = statuses.flat().filter((s) => s === 200).length;
    expect(allowed, JSON.stringify(statuses)).to.equal(10);
    expect(statuses.flat().filter((s) => s === 429)).to.have.length(6);
    // Both replicas answered some and refused some: each saw the other's count.
    for (const seen of statuses) expect(seen).to.include.members([200, 429]);

    const refused = await (replicas[0] as Replica).get('/v1/datasets', key);
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 100);
  });

  it('counts each key apart, in a table of the catalog database', async () => {
    const other = (await new KeyStore(path.join(stack.dir, 'api-keys.json')).create('other', 'read')).key;
    const response = await (replicas[1] as Replica).get('/v1/datasets', other);
    expect(response.status).to.equal(200);
    expect(response.headers.get('ratelimit-remaining')).to.equal('9');
    const counted = await stack.catalog<{ key: string; points: number }>(
      'SELECT key, points FROM odp_rate_limits ORDER BY points DESC',
    );
    expect(counted.map((row) => row.points)).to.deep.equal([17, 1]);
  });

  it('counts in each replica alone while PostgreSQL is away, and in PostgreSQL again once it is back', async () => {
    const keys = new KeyStore(path.join(stack.dir, 'api-keys.json'));
    const offline = (await keys.create('offline', 'read')).key;
    const statuses = async (replica: Replica, n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) {
        // `/v1/key` reads no lake, so what answers is the limiter alone.
        const response = await replica.get('/v1/key', offline);
        await response.arrayBuffer();
        seen.push(response.status);
      }
      return seen;
    };
    await stack.postgres.halt();
    try {
      // Requests are still served and still limited, each replica counting its own 10.
      for (const replica of replicas) {
        const seen = await statuses(replica, 12);
        expect(seen, JSON.stringify(seen)).to.deep.equal([...Array(10).fill(200), 429, 429]);
      }
    } finally {
      await stack.postgres.resume();
    }
    // A replica counts alone for a while, then in PostgreSQL again: wait until a new key's request is counted there.
    const probe = (await keys.create('probe', 'read')).key;
    const rowsNow = async () => (await stack.catalog('SELECT key FROM odp_rate_limits')).length;
    const before = await rowsNow();
    for (const deadline = Date.now() + 60_000; (await rowsNow()) === before; ) {
      expect(Date.now(), 'requests counted in PostgreSQL again within a minute').to.be.below(deadline);
      await (await (replicas[0] as Replica).get('/v1/key', probe)).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const response = await (replicas[0] as Replica).get('/v1/key', offline);
    expect(response.status).to.equal(200);
    expect(response.headers.get('ratelimit-remaining')).to.equal('9');
    const counted = await stack.catalog<{ points: number }>(
      'SELECT points FROM odp_rate_limits ORDER BY points',
    );
    // The probe's first request counted there, the offline key's one, and the first tests' two keys.
    expect(counted.map((row) => row.points)).to.deep.equal([1, 1, 1, 17]);
  });
});
