import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { KeyStore } from '../../src/access/keys.js';
import type { ScaleOut } from '../../standins/scaleOut.js';
import { Replica } from '../fixtures/replica.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';
import { until } from '../fixtures/until.js';

type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

/** The lines of a server's log (one JSON object a line on stdout). */
const logLines = (stdout: string): LogLine[] =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('what the server discloses: no internal detail to clients, no credential in its log', function () {
  this.timeout(240_000);
  let stack: ScaleOut;
  let keysFile: string;
  let key: string;
  // Each test has a server of its own, whose log holds what that test did.
  let server: Replica;

  before(async () => {
    stack = await startReadingsStack();
    keysFile = path.join(stack.dir, 'api-keys.json');
    key = (await new KeyStore(keysFile).create('client', 'read')).key;
  });
  beforeEach(async () => {
    server = await Replica.start({ ...stack.env(), ODP_API_KEYS_FILE: keysFile, ODP_LOG_LEVEL: 'info' });
  });
  afterEach(async () => {
    await server?.stop();
  });
  after(async () => {
    await stack?.stop();
  });

  const readiness = async () => {
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const notReady = () =>
    until('/readyz to answer 503', async () => {
      const answer = await readiness();
      return answer.status === 503 ? answer.body : undefined;
    });
  const ready = () =>
    until('/readyz to answer 200', async () => ((await readiness()).status === 200 ? true : undefined));

  it('/readyz names the part that is not ready, and only the log says why', async () => {
    await ready();
    await stack.postgres.halt();
    try {
      expect(await notReady()).to.deep.equal({ status: 'not ready', reason: 'the lake is not reachable' });
    } finally {
      await stack.postgres.resume();
    }
    await ready();

    const keys = await readFile(keysFile, 'utf8');
    await writeFile(keysFile, '{ "keys": not json');
    try {
      expect(await notReady()).to.deep.equal({ status: 'not ready', reason: 'the API keys cannot be read' });
    } finally {
      await writeFile(keysFile, keys);
    }
    await ready();

    // What /readyz kept to itself is in the log: why the lake and the keys were not ready.
    const lines = logLines((await server.stop()).stdout);
    const why = (reason: string) =>
      lines.filter((line) => line.msg === `not ready: ${reason}`).map((line) => JSON.stringify(line.err));
    expect(why('the lake is not reachable').join('\n')).to.match(new RegExp(String(stack.postgres.port)));
    expect(why('the API keys cannot be read').join('\n')).to.include(keysFile);
  });

  it('writes no credential to its log, wherever a client put it', async () => {
    const forged = `odp_${'0'.repeat(12)}_${'B'.repeat(43)}`;
    const bearer = { authorization: `Bearer ${key}` };
    const requests: [string, string, Record<string, string>][] = [
      ['in-query', `/v1/datasets?api_key=${key}`, {}],
      ['named', '/v1/datasets?access_token=tok-1&client_secret=sec-2&password=pw-3&sig=sig-4', bearer],
      ['as-value', `/v1/datasets/readings/records?label=eq.${key.replace('_', '%5F')}`, bearer],
      ['in-path', `/v1/datasets/${key}`, bearer],
      ['forged-bearer', '/v1/datasets', { authorization: `Bearer ${forged}` }],
      ['x-api-key', '/v1/datasets', { 'x-api-key': key }],
    ];
    for (const [id, pathAndQuery, headers] of requests) {
      const response = await fetch(`${server.url}${pathAndQuery}`, {
        headers: { ...headers, 'x-request-id': id },
      });
      await response.arrayBuffer();
    }
    const { stdout, stderr } = await server.stop();
    const log = stdout + stderr;
    for (const secret of [key.slice(17), forged.slice(17), 'tok-1', 'sec-2', 'pw-3', 'sig-4']) {
      expect(log, 'a credential in the log').not.to.include(secret);
    }

    // The requests were logged, with what was redacted marked as such.
    const lines = logLines(stdout);
    const access = (id: string) => lines.find((line) => line.requestId === id && line.msg === 'request');
    expect(access('in-query')).to.include({ query: 'api_key=[redacted]', status: 401 });
    expect(access('named')?.query).to.equal(
      'access_token=[redacted]&client_secret=[redacted]&password=[redacted]&sig=[redacted]',
    );
    expect(access('as-value')?.query).to.equal('label=[redacted]');
    expect(access('in-path')?.path).to.equal(`/v1/datasets/${key.slice(0, 17)}[redacted]`);
    expect(access('forged-bearer')?.status).to.equal(401);
    expect(access('x-api-key')?.status).to.equal(200);
  });
});
