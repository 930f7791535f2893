import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { loadConfig } from '../../src/config/config.js';
import { engineMemory } from '../../src/lake/engine.js';
import { readingsBatch, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe("DuckDB's memory", () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.close());

  it('gives the engine the budget the setting names', async () => {
    const runtime = await sandbox.open({ ODP_MEMORY_LIMIT: '512MiB' });
    const [setting] = await runtime.lake.session(async (c) =>
      (await c.runAndReadAll("SELECT current_setting('memory_limit') AS v")).getRowObjectsJson(),
    );
    expect(setting?.v).to.equal('512.0 MiB');
  });

  it("keeps no copies of a local lake's files in DuckDB's memory, however often they are read", async () => {
    await sandbox.write('readings.yaml', readingsDataset());
    await sandbox.write('readings.ndjson', readingsBatch(5000));
    await sandbox.open();
    expect((await sandbox.ingest('readings')).status).to.equal('succeeded');
    for (let i = 0; i < 3; i++) {
      await sandbox.query('SELECT label, sum(value) FROM lake.main.readings GROUP BY label');
    }
    const memory = await sandbox.runtime!.lake.session(engineMemory);
    // The OS page cache already holds these files; DuckDB's copies would include files no read opens again.
    expect(memory.find((m) => m.tag === 'EXTERNAL_FILE_CACHE')?.bytes).to.equal(0);
  });

  it('refuses a value that is not a size, naming the variable', () => {
    expect(() => loadConfig({ ...sandbox.env, ODP_MEMORY_LIMIT: 'lots' })).to.throw(/ODP_MEMORY_LIMIT/);
  });
});
