import { expect } from 'chai';
import { pino } from 'pino';
import { Feed } from '../fixtures/feed.js';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';
import { ApiServer } from './server.js';

/** Operators start runs and re-drives through the serving process, as `odp ingest` cannot while it holds the lake. */
describe('runs and re-drives over HTTP', () => {
  let sandbox: Sandbox;
  let server: ApiServer;
  let feed: Feed;
  let release: () => void = () => undefined;

  before(async () => {
    feed = await Feed.start();
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset({ source: feed.url }));
    server = await ApiServer.start(sandbox);
  });
  after(async () => {
    release();
    await server.close();
    await sandbox.close();
    await feed.stop();
  });

  const post = (path: string, key: string | null) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
  /** Follows a run's Location until it has ended. */
  const outcome = async (location: string) => {
    for (let i = 0; i < 200; i++) {
      const run = await server.json<{ status: string; run_id: string }>(location);
      if (run.status !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${location} still running`);
  };

  it('starts a run for an admin key only, answering 202 with its Location, then its outcome', async () => {
    feed.answer((_req, res) =>
      res.end(
        ndjson([
          { id: 'a', v: 1, value: 1 },
          { id: 'b', v: 1, value: -1 },
        ]),
      ),
    );
    expect((await post('/v1/datasets/readings/runs', null)).status).to.equal(401);
    expect((await post('/v1/datasets/readings/runs', server.read)).status).to.equal(403);
    expect((await post('/v1/datasets/nope/runs', server.admin)).status).to.equal(404);

    // Every start is an audit entry in the service's log.
    const audit: Record<string, unknown>[] = [];
    const runtime = sandbox.runtime!;
    const log = runtime.log;
    runtime.log = pino({ level: 'info' }, { write: (line: string) => void audit.push(JSON.parse(line)) });
    const response = await post('/v1/datasets/readings/runs', server.admin).finally(() => {
      runtime.log = log;
    });
    expect(response.status).to.equal(202);
    const started = (await response.json()) as { run_id: string; status: string };
    const adminKey = (await server.keys.list()).find((k) => k.scope === 'admin')!;
    expect(audit.map((a) => a.audit)).to.deep.include({
      action: 'run.start',
      dataset: 'readings',
      runId: started.run_id,
      key: adminKey.id,
      requestId: response.headers.get('x-request-id'),
    });
    expect(started.status).to.equal('running');
    const location = response.headers.get('location')!;
    expect(location).to.equal(`/v1/runs/${started.run_id}`);
    const run = await outcome(location);
    expect(run).to.include({
      run_id: started.run_id,
      status: 'succeeded',
      trigger: 'manual',
      inserted: 1,
      quarantined: 1,
    });
  });

  it('answers 409 naming the run that holds the dataset while one is under way', async () => {
    // The source answers only when the test lets it, so the first run holds the lease meanwhile.
    feed.answer((_req, res) => {
      release = () => res.end(ndjson([{ id: 'c', v: 1, value: 3 }]));
    });
    const first = await post('/v1/datasets/readings/runs', server.admin);
    expect(first.status).to.equal(202);
    const holder = ((await first.json()) as { run_id: string }).run_id;
    expect((await server.json<{ status: string }>(`/v1/runs/${holder}`)).status).to.equal('running');

    const second = await post('/v1/datasets/readings/runs', server.admin);
    expect(second.status).to.equal(409);
    const problem = (await second.json()) as { holder: string; detail: string };
    expect(problem.holder).to.equal(holder);
    expect(problem.detail).to.contain(`being ingested by run ${holder}`);

    while (feed.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // A stopping server waits for the run: drain() settles only once the run has ended.
    let drained = false;
    const draining = server.api.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(drained, 'drained while the run was under way').to.equal(false);
    release();
    await draining;
    expect(await outcome(`/v1/runs/${holder}`)).to.include({ status: 'succeeded', inserted: 1 });
  });

  it('re-drives quarantined records, and marks them re-driven by the new run', async () => {
    expect((await post('/v1/datasets/readings/quarantine/replay', server.read)).status).to.equal(403);
    const response = await post('/v1/datasets/readings/quarantine/replay', server.admin);
    expect(response.status).to.equal(202);
    const run = await outcome(response.headers.get('location')!);
    // The rule has not changed, so the record is quarantined again, by the re-drive, and the old one is marked.
    expect(run).to.include({
      status: 'succeeded',
      trigger: 'quarantine-replay',
      received: 1,
      quarantined: 1,
    });
    const { data } = await server.json<{ data: { run_id: string; replayed_by: string | null }[] }>(
      '/v1/datasets/readings/quarantine?all=true',
      200,
      { scope: 'admin' },
    );
    expect(data).to.have.length(2);
    expect(data[0]!.replayed_by).to.equal(run.run_id);
    expect(data[1]!.run_id).to.equal(run.run_id);
  });

  it('answers 404 for a run nobody started', async () => {
    await server.json('/v1/runs/20260101T000000000Z-readings-0000', 404);
  });
});
