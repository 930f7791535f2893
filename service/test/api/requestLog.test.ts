import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import Koa from 'koa';
import { pino } from 'pino';
import { requestContext } from '../../src/api/middleware/requestContext.js';
import { registry } from '../../src/metrics.js';
import { until } from '../fixtures/until.js';

describe('the access log and request metrics', () => {
  it('counts a request whose client left before any answer as 499, not as a status it never got', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      {},
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()));
          done();
        },
      }),
    );
    let arrived: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const app = new Koa();
    app.silent = true; // the request's own 'aborted' error is what the test provokes
    app.use(requestContext(log));
    // A handler still working when its client goes away (a slow query, a wait in a queue).
    app.use(async (ctx) => {
      arrived();
      await once(ctx.req, 'close');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const client = request({ port, host: '127.0.0.1', path: '/v1/left-early' });
      client.on('error', () => undefined);
      client.end();
      await inHandler;
      client.destroy();
      const line = await until('the access-log line of the request', async () =>
        lines.find((l) => l.path === '/v1/left-early'),
      );
      expect(line).to.include({ status: 499, aborted: true, route: 'unmatched' });
      expect(await registry.metrics()).to.match(
        /odp_http_request_duration_seconds_count\{method="GET",route="unmatched",status="499"\} \d+/,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
