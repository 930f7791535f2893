import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { loadConfig } from '../../src/config/config.js';
import type { Run } from '../../src/journal/run.js';
import { engineMemory } from '../../src/lake/engine.js';
import { rows } from '../../src/lake/query.js';
import { createLogger } from '../../src/log.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import type { ScaleOut } from '../../standins/scaleOut.js';
import { odp } from '../fixtures/cli.js';
import { ndjson, readingsDataset } from '../fixtures/sandbox.js';
import { startReadingsStack } from '../fixtures/scaleOut.js';

const EARTHQUAKES = 1707;

describe('scale-out: a PostgreSQL catalog with lake files and increments in Azure Blob Storage (Azurite)', function () {
  this.timeout(120_000);
  let stack: ScaleOut;
  let reader: Runtime | undefined;

  before(async () => {
    stack = await startReadingsStack();
    await copyFile(
      path.resolve(import.meta.dirname, '../../datasets/earthquakes.yaml'),
      path.join(stack.datasets, 'earthquakes.yaml'),
    );
  });
  after(async () => {
    reader?.close();
    delete process.env.PGPASSWORD;
    await stack?.stop();
  });

  /** `odp ingest <dataset> --json` in a process of its own: one replica's run. */
  const ingestOn = async (dataset: string): Promise<Run> => {
    const { code, stdout, stderr } = await odp(['ingest', dataset, '--json'], stack.env()).done;
    expect(code, stderr).to.equal(0);
    return JSON.parse(stdout) as Run;
  };
  const readings = (n: number, v: number) =>
    writeFile(
      path.join(stack.datasets, 'readings.ndjson'),
      ndjson(Array.from({ length: n }, (_, i) => ({ id: `r${i}`, v, value: i, label: 'x' }))),
    );

  it('ingests through the catalog into Parquet files and raw increments in blob storage', async () => {
    const run = await ingestOn('earthquakes');
    expect(run).to.include({
      status: 'succeeded',
      received: EARTHQUAKES,
      inserted: EARTHQUAKES,
      quarantined: 0,
    });
    const files = await stack.lakeFiles();
    expect(files).to.have.length.greaterThan(0);
    expect(
      files.every((f) => /^tables\/main\/earthquakes\/.+\.parquet$/.test(f)),
      files.join(),
    ).to.equal(true);
    expect(await stack.azurite.blobs('increments')).to.deep.equal(run.increments.map((key) => `raw/${key}`));
    const tables = await stack.catalog<{ table_name: string }>('SELECT table_name FROM ducklake_table');
    expect(tables.map((t) => t.table_name)).to.include('earthquakes');
  });

  it('re-ingesting unchanged data writes no new lake files', async () => {
    const files = await stack.lakeFiles();
    const run = await ingestOn('earthquakes');
    expect(run).to.include({ status: 'succeeded', inserted: 0, updated: 0, unchanged: EARTHQUAKES });
    expect(await stack.lakeFiles()).to.deep.equal(files);
  });

  it("shows another replica's commit to a running replica on its next query, without a restart", async () => {
    await readings(100, 1);
    await ingestOn('readings');
    // This replica runs in the test's own process; libpq and node-postgres read the role's password from there.
    process.env.PGPASSWORD = stack.rolePassword;
    reader = await openRuntime(loadConfig(stack.env()), createLogger('silent'));
    const seen = () =>
      reader!.lake.session((c) =>
        rows<{ n: string; v: number }>(c, 'SELECT count(*) AS n, max(v) AS v FROM lake.main.readings'),
      );
    expect(await seen()).to.deep.equal([{ n: '100', v: 1 }]);
    await readings(150, 2);
    const run = await ingestOn('readings');
    expect(run).to.include({ inserted: 50, updated: 100 });
    expect(await seen()).to.deep.equal([{ n: '150', v: 2 }]);
  });

  it("keeps the blob-stored lake files it has read in DuckDB's memory", async () => {
    const memory = await reader!.lake.session(async (c) => {
      await rows(c, 'SELECT sum(value) FROM lake.main.readings');
      return engineMemory(c);
    });
    expect(memory.find((m) => m.tag === 'EXTERNAL_FILE_CACHE')?.bytes).to.be.greaterThan(0);
  });

  it('creates the catalog indexes DuckLake reads by', async () => {
    const indexes = await stack.catalog<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'ducklake_%' AND indexname LIKE 'odp_%' ORDER BY indexname",
    );
    expect(indexes.map((i) => i.indexname)).to.deep.equal([
      'odp_data_file_table',
      'odp_delete_file_table',
      'odp_file_column_stats_table_column',
    ]);
  });

  it('keeps a declared sort order in the PostgreSQL catalog, set once however often the dataset runs', async () => {
    await writeFile(
      path.join(stack.datasets, 'sorted.yaml'),
      readingsDataset()
        .replace('name: readings', 'name: sorted')
        .replace('key: [id]', 'key: [id]\nsortedBy: [label, value.desc]'),
    );
    await readings(50, 1);
    expect(await ingestOn('sorted')).to.include({ status: 'succeeded', inserted: 50 });
    expect(await ingestOn('sorted')).to.include({ status: 'succeeded', unchanged: 50 });
    const terms = await stack.catalog<{ sort_id: string; expression: string; sort_direction: string }>(
      `SELECT i.sort_id, e.expression, e.sort_direction
       FROM ducklake_sort_info i JOIN ducklake_sort_expression e USING (sort_id, table_id)
       JOIN ducklake_table t ON t.table_id = i.table_id AND t.end_snapshot IS NULL
       WHERE t.table_name = 'sorted' ORDER BY e.sort_key_index`,
    );
    expect(terms.map((t) => `${t.expression} ${t.sort_direction}`)).to.deep.equal([
      '"label" ASC',
      '"value" DESC',
    ]);
    expect(new Set(terms.map((t) => t.sort_id)).size, 'sort orders recorded').to.equal(1);
  });
});
