import { expect } from 'chai';
import type { Run } from '../../src/journal/run.js';
import { odp } from '../fixtures/cli.js';
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
