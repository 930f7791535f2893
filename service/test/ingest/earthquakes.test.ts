import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { ingest } from '../../src/pipeline/ingest.js';
import { fromSource } from '../../src/sources/source.js';
import { balanced, bundledDatasets, Sandbox } from '../fixtures/sandbox.js';

describe('ingesting the bundled earthquakes dataset', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.open({ ODP_DATASETS: bundledDatasets });
  });
  after(() => sandbox.close());

  it('stores every event once, enriched, and records a balanced run with its snapshot', async () => {
    const run = await sandbox.ingest('earthquakes');
    expect(run.status, run.error ?? '').to.equal('succeeded');
    expect(run.received).to.equal(1707);
    expect(balanced(run)).to.equal(true);
    expect(run.inserted).to.equal(1707);
    expect(run.snapshot_id).to.be.a('number');

    const [stored] = await sandbox.query<{ n: string; keys: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS keys FROM lake.main.earthquakes',
    );
    expect(Number(stored?.n)).to.equal(run.inserted);
    expect(stored?.keys).to.equal(stored?.n);

    const [castaic] = await sandbox.query<Record<string, unknown>>(
      "SELECT mag, magnitude_class, depth_band, region, time::VARCHAR AS time, _odp_run_id FROM lake.main.earthquakes WHERE id = 'ci37868143'",
    );
    expect(castaic).to.deep.equal({
      mag: 2,
      magnitude_class: 'minor',
      depth_band: 'shallow',
      region: 'CA',
      time: '2018-02-07 01:26:13.84',
      _odp_run_id: run.run_id,
    });
  });

  it('keeps the raw increment byte for byte, under the dataset and the day of the run', async () => {
    const [run] = await sandbox.query<{ run_id: string; increments: string[] }>(
      "SELECT run_id, increments FROM lake.odp.runs WHERE dataset = 'earthquakes' ORDER BY started_at LIMIT 1",
    );
    const key = run!.increments[0]!;
    expect(key).to.match(new RegExp(`^earthquakes/\\d{4}/\\d{2}/\\d{2}/${run!.run_id}\\.geojson$`));
    const kept = await readFile(path.join(sandbox.env.ODP_DATA_DIR!, 'increments', key));
    const vega = path.dirname(createRequire(import.meta.url).resolve('vega-datasets'));
    const original = await readFile(path.join(vega, '..', 'data', 'earthquakes.json'));
    expect(kept.equals(original)).to.equal(true);
  });

  it('commits nothing when the raw increment cannot be stored, and records the failure with its reason', async () => {
    const runtime = sandbox.runtime!;
    const dataset = runtime.dataset('earthquakes');
    const before = await sandbox.query('SELECT count(*) AS n FROM lake.main.earthquakes');
    // The upload runs while the batch is validated; the commit must still wait for it, and fail with it.
    const failing = {
      ...runtime.increments,
      put: () => Promise.reject(new Error('no space left on device')),
    };
    const run = await ingest(
      { ...runtime, increments: failing },
      { dataset, trigger: 'manual', input: fromSource(dataset, 'bundled') },
    );
    expect(run.status).to.equal('failed');
    expect(run.error).to.include('no space left on device');
    expect(run.snapshot_id).to.equal(null);
    expect(await sandbox.query('SELECT count(*) AS n FROM lake.main.earthquakes')).to.deep.equal(before);
  });

  it('changes nothing when the same input is ingested again', async () => {
    const run = await sandbox.ingest('earthquakes');
    expect(run.status).to.equal('succeeded');
    expect({ inserted: run.inserted, updated: run.updated, quarantined: run.quarantined }).to.deep.equal({
      inserted: 0,
      updated: 0,
      quarantined: 0,
    });
    expect(run.unchanged).to.equal(run.received);
  });
});
