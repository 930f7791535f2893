import { expect } from 'chai';
import type { Run } from '../../src/journal/run.js';
import { ChatStandIn, newsDataset } from '../fixtures/chatModel.js';
import { ckanDatastore, permits, permitsDataset } from '../fixtures/ckan.js';
import { odp } from '../fixtures/cli.js';
import { Feed } from '../fixtures/feed.js';
import { balanced, bundledDatasets, ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe('the odp command', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await Sandbox.create();
  });
  afterEach(() => sandbox.close());

  it('`odp ingest earthquakes --json` prints one balanced run record; a second run changes nothing', async () => {
    const env = { ...sandbox.env, ODP_DATASETS: bundledDatasets };
    const first = await odp(['ingest', 'earthquakes', '--json'], env).done;
    expect(first.code, first.stderr).to.equal(0);
    const run = JSON.parse(first.stdout) as Run;
    expect(run).to.include({ dataset: 'earthquakes', status: 'succeeded', received: 1707 });
    expect(balanced(run)).to.equal(true);

    const second = JSON.parse((await odp(['ingest', 'earthquakes', '--json'], env).done).stdout) as Run;
    expect(second).to.include({ inserted: 0, updated: 0, unchanged: 1707 });

    const replayed = await odp(['replay', run.run_id], env).done;
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(replayed.stdout).to.match(
      /earthquakes run .*: succeeded — 1707 received, 0 inserted, 0 updated, 1707 unchanged/,
    );
  });

  it('never writes the model key or a source secret to its log, at trace level, when the model refuses the key and a page fails', async () => {
    const key = 'sk-model-key-that-must-not-leak';
    const token = 'source-token-that-must-not-leak';
    const model = await ChatStandIn.start();
    const feed = await Feed.start();
    try {
      model.accepts = () => false;
      feed.answer(
        ckanDatastore(permits(20), (offset, _req, res) => {
          if (offset !== 8) return false;
          res.writeHead(502, 'Bad Gateway').end();
          return true;
        }),
      );
      const api = `${new URL(feed.url).origin}/api/3/action/datastore_search?resource_id=permits-2026`;
      await sandbox.write('token.txt', `${token}\n`);
      await sandbox.write('model-key', `${key}\n`);
      await sandbox.write(
        'permits.yaml',
        permitsDataset(
          api,
          '  headers: { X-Api-Key: { secretFile: token.txt } }\n  query: { apikey: { secretFile: token.txt } }',
        ),
      );
      await sandbox.write('news.ndjson', ndjson([{ id: 'a1', body: 'Quarks meet gluons again' }]));
      await sandbox.write('news.yaml', newsDataset);
      const env = {
        ...sandbox.env,
        ODP_LOG_LEVEL: 'trace',
        ODP_LLM_URL: model.url,
        ODP_LLM_MODEL: 'stand-in-model',
        ODP_LLM_KEY_FILE: `${sandbox.datasetsDir}/model-key`,
        ODP_LLM_ATTEMPTS: '1',
      };
      const paged = await odp(['ingest', 'permits', '--json'], env).done;
      const news = await odp(['ingest', 'news', '--json'], env).done;
      // Both secrets were sent: the key to the model, the token with every page.
      expect(model.requests.map((r) => r.authorization)).to.deep.equal([`Bearer ${key}`]);
      expect(feed.requests.length).to.be.greaterThan(2);
      expect(feed.requests.every((r) => r.headers['x-api-key'] === token)).to.equal(true);
      // What the runs said and logged: a failed page, an unanswered summary.
      expect((JSON.parse(paged.stdout) as Run).error).to.contain('page 3');
      expect((JSON.parse(news.stdout) as Run).notes.join()).to.contain('401 Unauthorized');
      const printed = [paged.stdout, paged.stderr, news.stdout, news.stderr].join('\n');
      // The stages' debug lines and the failure's error line are there, with the secret's place masked.
      expect(printed).to.contain('"level":20');
      expect(printed).to.contain('"stage":"enrich"');
      expect(printed).to.match(/"level":50.*apikey=\[redacted\]/);
      expect(printed).not.to.contain(key);
      expect(printed).not.to.contain(token);
    } finally {
      await model.stop();
      await feed.stop();
    }
  });

  it('exits non-zero with a clear message for an unknown dataset or run', async () => {
    const env = { ...sandbox.env, ODP_DATASETS: bundledDatasets };
    const unknown = await odp(['ingest', 'quakes'], env).done;
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.equal(
      'odp: no dataset named "quakes" (known: catalogo, earthquakes, farmacie, flights, pagamenti, physics)\n',
    );
    const noRun = await odp(['replay', 'nope'], env).done;
    expect(noRun.stderr).to.equal('odp: no ingest run with id nope\n');
  });

  it('refuses a bad dataset file at start, naming the file, the field and the reason', async () => {
    await sandbox.write(
      'readings.yaml',
      readingsDataset().replace('key: [id]', 'key: [serial]').replace('*/5 * * * *', 'every minute'),
    );
    const result = await odp(['ingest', 'readings'], sandbox.env).done;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain(`${sandbox.datasetsDir}/readings.yaml: invalid dataset definition:`);
    expect(result.stderr).to.contain('schedule: is not a valid cron pattern');
  });

  it('refuses a bad configuration value, naming the variable', async () => {
    const result = await odp(['ingest', 'readings'], {
      ...sandbox.env,
      ODP_PORT: 'eighty',
      ODP_SOURCES: 'web',
    }).done;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/ODP_PORT: .*number/);
    expect(result.stderr).to.match(/ODP_SOURCES: .*"bundled"/);
  });

  it('says clearly that the embedded lake is in use when a second process tries to write it', async () => {
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write('readings.ndjson', ndjson([{ id: 'a', v: 1, value: 1 }]));
    await sandbox.open(); // this process now holds the embedded catalog
    const second = await odp(['ingest', 'readings'], sandbox.env).done;
    expect(second.code).to.equal(1);
    expect(second.stderr).to.match(
      /the lake catalog .*catalog\.ducklake is open in another process \(pid \d+\)/,
    );
    // …and how to reach it when it is the serving process.
    expect(second.stderr).to.contain('curl -X POST');
    expect(second.stderr).to.match(/http:\/\/127\.0\.0\.1:\d+\/v1\/datasets\/<dataset>\/runs/);
  });

  it('quarantine list shows what was quarantined and why', async () => {
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write('readings.ndjson', ndjson([{ id: 'a', v: 1, value: -1 }]));
    const run = JSON.parse((await odp(['ingest', 'readings', '--json'], sandbox.env).done).stdout) as Run;
    const listed = await odp(['quarantine', 'list', 'readings', '--json'], sandbox.env).done;
    const [record] = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(record).to.include({ run_id: run.run_id, reason: 'non-negative: value must not be negative' });
  });
});
