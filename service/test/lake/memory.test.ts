import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { loadConfig } from '../../src/config/config.js';
import { Sandbox } from '../fixtures/sandbox.js';

describe('ODP_MEMORY_LIMIT sets the memory budget DuckDB works in', () => {
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

  it('refuses a value that is not a size, naming the variable', () => {
    expect(() => loadConfig({ ...sandbox.env, ODP_MEMORY_LIMIT: 'lots' })).to.throw(/ODP_MEMORY_LIMIT/);
  });
});
