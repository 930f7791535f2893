import { expect } from 'chai';
import { ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe('a dataset declares the order the lake keeps its files in (sortedBy)', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.close());

  const definition = (sortedBy: string) =>
    readingsDataset().replace('key: [id]', `key: [id]${sortedBy ? `\nsortedBy: ${sortedBy}` : ''}`);
  const sortTerms = async () =>
    (
      await sandbox.query<{ expression: string; sort_direction: string }>(
        `SELECT e.expression, e.sort_direction
         FROM __ducklake_metadata_lake.ducklake_sort_info i
         JOIN __ducklake_metadata_lake.ducklake_sort_expression e USING (sort_id, table_id)
         WHERE i.end_snapshot IS NULL ORDER BY e.sort_key_index`,
      )
    ).map((t) => `${t.expression} ${t.sort_direction}`);
  // 2,000 records in a scrambled order: enough to be written as a Parquet file rather than inlined.
  const records = (v: number) =>
    Array.from({ length: 2000 }, (_, i) => {
      const n = (i * 7919) % 2000;
      return { id: `r${n}`, v, value: n, label: `l${n % 13}` };
    });

  it('writes the first batch sorted, and sets the order once', async () => {
    await sandbox.write('readings.yaml', definition('[label, value.desc]'));
    await sandbox.write('readings.ndjson', ndjson(records(1)));
    expect(await sandbox.ingest('readings')).to.include({ status: 'succeeded', inserted: 2000 });
    expect(await sortTerms()).to.deep.equal(['"label" ASC', '"value" DESC']);
    const files = await sandbox.query<{ data_file: string }>(
      "SELECT data_file FROM ducklake_list_files('lake', 'readings')",
    );
    expect(files).to.have.length(1);
    const inFileOrder = await sandbox.query<{ label: string; value: number }>(
      'SELECT label, value FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number',
      [files[0]!.data_file],
    );
    const sorted = [...inFileOrder].sort((a, b) =>
      a.label === b.label ? b.value - a.value : a.label < b.label ? -1 : 1,
    );
    expect(inFileOrder).to.have.length(2000);
    expect(inFileOrder).to.deep.equal(sorted);

    const snapshots = await sandbox.query<{ n: string }>('SELECT count(*) AS n FROM lake.snapshots()');
    await sandbox.write('readings.ndjson', ndjson(records(1)));
    await sandbox.ingest('readings');
    // An unchanged order is not set again: one snapshot for the run, none for the table.
    const after = await sandbox.query<{ n: string }>('SELECT count(*) AS n FROM lake.snapshots()');
    expect(Number(after[0]!.n)).to.equal(Number(snapshots[0]!.n) + 1);
  });

  it('follows a changed declaration, and forgets the order when it is removed', async () => {
    await sandbox.write('readings.yaml', definition('[value]'));
    await sandbox.open();
    await sandbox.write('readings.ndjson', ndjson(records(2)));
    expect(await sandbox.ingest('readings')).to.include({ status: 'succeeded', updated: 2000 });
    expect(await sortTerms()).to.deep.equal(['"value" ASC']);

    await sandbox.write('readings.yaml', definition(''));
    await sandbox.open();
    await sandbox.write('readings.ndjson', ndjson(records(3)));
    expect(await sandbox.ingest('readings')).to.include({ status: 'succeeded', updated: 2000 });
    expect(await sortTerms()).to.deep.equal([]);
  });

  it('refuses, when the definition is read, an order on a column it does not declare', async () => {
    await sandbox.write('readings.yaml', definition('[nope]'));
    const refused = await sandbox.open().catch((error: unknown) => error as Error);
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.match(/readings\.yaml.*sortedBy.*nope is not a declared column/s);
  });
});
