import { expect } from 'chai';
import { duckdbJsonPath } from '../../src/datasets/jsonPath.js';
import { readingsDataset, Sandbox } from '../fixtures/sandbox.js';

describe('dataset definitions are checked when they are read, not when they run', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.close());

  it('reads standard JSONPath: bracketed keys with spaces, double quotes, array items', async () => {
    expect(duckdbJsonPath("$['Release Date']")).to.equal('$."Release Date"');
    expect(duckdbJsonPath('$["Title"].name')).to.equal('$.Title.name');
    expect(duckdbJsonPath('$.a[0].b')).to.equal('$.a[0].b');
    expect(duckdbJsonPath('$.items[*]')).to.equal('$.items[*]');
    expect(duckdbJsonPath('$."Running Time"')).to.equal('$."Running Time"');
    expect(() => duckdbJsonPath('$.a[')).to.throw(/cannot read "\["/);
    expect(() => duckdbJsonPath('a.b')).to.throw(/must start with \$/);

    await sandbox.write(
      'films.yaml',
      `name: films
schedule: "0 * * * *"
source: { format: json, live: films.json }
key: [title]
columns:
  - { name: title, type: VARCHAR, from: "$['Title']" }
  - { name: released, type: DATE, from: "$['Release Date']", format: "%d-%b-%y" }
  - { name: first_genre, type: VARCHAR, from: "$.Genres[0]" }
`,
    );
    await sandbox.write(
      'films.json',
      JSON.stringify([
        { Title: 'Alien', 'Release Date': '25-May-79', Genres: ['Horror', 'Sci-Fi'] },
        { Title: 'Up', 'Release Date': '29-May-09', Genres: ['Animation'] },
      ]),
    );
    expect(await sandbox.ingest('films')).to.include({ status: 'succeeded', inserted: 2, quarantined: 0 });
    expect(
      await sandbox.query(
        'SELECT title, released::VARCHAR AS released, first_genre FROM lake.main.films ORDER BY title',
      ),
    ).to.deep.equal([
      { title: 'Alien', released: '1979-05-25', first_genre: 'Horror' },
      { title: 'Up', released: '2009-05-29', first_genre: 'Animation' },
    ]);
  });

  it('refuses a bad path, rule or enrichment at start, naming the file, the field and the reason', async () => {
    sandbox.runtime?.close();
    sandbox.runtime = undefined;
    await sandbox.write(
      'readings.yaml',
      readingsDataset({
        extraColumns: `  - { name: station, type: VARCHAR, from: "$.meta[" }`,
        rules: `  - { name: plausible, check: temperature < 60, message: too hot }`,
      }).replace('expr: value * 2', 'expr: doubled_twice(value)'),
    );
    const refused = await sandbox.open().catch((error: unknown) => error as Error);
    expect(refused).to.be.instanceOf(Error);
    const message = (refused as Error).message;
    expect(message).to.contain(`${sandbox.datasetsDir}/readings.yaml: invalid dataset definition:`);
    expect(message).to.match(
      /columns\.4\.from: \$\.meta\[ is not a JSON path DuckDB can read: .*cannot read "\["/,
    );
    expect(message).to.match(/rules\.1\.check: .*temperature/);
    expect(message).to.match(/enrich\.0\.expr: .*doubled_twice/);
  });
});

describe('a dataset without a natural key is identified by the whole record', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write(
      'strikes.yaml',
      `name: strikes
schedule: "0 * * * *"
source: { format: csv, live: strikes.csv }
key: record
columns:
  - { name: airport, type: VARCHAR, required: true }
  - { name: species, type: VARCHAR }
  - { name: speed, type: INTEGER }
`,
    );
  });
  after(() => sandbox.close());

  it('stores records with empty optional fields, once each, and counts repeats as unchanged', async () => {
    await sandbox.write(
      'strikes.csv',
      [
        'airport,species,speed',
        'SEA,gull,120',
        'SEA,gull,', // differs from the first only by an empty speed: another record
        'SEA,gull,', // the same record again in the batch: unchanged, not quarantined
        'PDX,,',
        ',hawk,80', // airport is required: quarantined
      ].join('\n'),
    );
    const first = await sandbox.ingest('strikes');
    expect(first).to.include({ status: 'succeeded', received: 5, inserted: 3, unchanged: 1, quarantined: 1 });
    expect(
      await sandbox.query(
        'SELECT airport, species, speed FROM lake.main.strikes ORDER BY airport, speed NULLS LAST',
      ),
    ).to.deep.equal([
      { airport: 'PDX', species: null, speed: null },
      { airport: 'SEA', species: 'gull', speed: 120 },
      { airport: 'SEA', species: 'gull', speed: null },
    ]);
    const again = await sandbox.ingest('strikes');
    expect(again).to.include({ status: 'succeeded', inserted: 0, updated: 0, unchanged: 4, quarantined: 1 });
  });

  it('refuses a version on a whole-record identity, naming the field', async () => {
    sandbox.runtime?.close();
    sandbox.runtime = undefined;
    await sandbox.write(
      'strikes.yaml',
      `name: strikes
schedule: "0 * * * *"
source: { format: csv, live: strikes.csv }
key: record
version: speed
columns:
  - { name: airport, type: VARCHAR }
  - { name: speed, type: INTEGER }
`,
    );
    const refused = await sandbox.open().catch((error: unknown) => error as Error);
    expect((refused as Error).message).to.match(
      /version: a dataset identified by the whole record has no versions/,
    );
  });
});
