import { expect } from 'chai';
import fc from 'fast-check';
import type { ColumnInfo, TableSchema } from '../../src/api/http/catalogCache.js';
import { Problem } from '../../src/api/http/problem.js';
import { type Format, parseRecordQuery } from '../../src/api/records/query.js';
import { invalidValue } from '../../src/api/records/values.js';
import { type Dataset, DatasetSchema } from '../../src/datasets/definition.js';

const column = (name: string, type: string): ColumnInfo => ({
  name,
  type,
  nullable: true,
  description: undefined,
});

const COLUMNS = [
  column('id', 'INTEGER'),
  column('station', 'VARCHAR'),
  column('temp', 'DOUBLE'),
  column('at', 'TIMESTAMP WITH TIME ZONE'),
  column('ok', 'BOOLEAN'),
  column('day', 'DATE'),
  column('tags', 'JSON'),
];
const SCHEMA: TableSchema = new Map(COLUMNS.map((c) => [c.name, c]));
const DATASET: Dataset = {
  ...DatasetSchema.parse({
    name: 'readings',
    schedule: '*/5 * * * *',
    source: { format: 'ndjson', live: 'readings.ndjson' },
    columns: [
      { name: 'id', type: 'INTEGER' },
      { name: 'station', type: 'VARCHAR' },
    ],
    key: ['id'],
  }),
  file: 'readings.yaml',
};

const parse = (raw: Record<string, string | string[]>, format: Format = 'json') =>
  parseRecordQuery(DATASET, SCHEMA, raw, format);

/** The 400 a query gets, as its `errors`: each parameter with what is wrong with it. */
function problemsOf(raw: Record<string, string | string[]>, format: Format = 'json') {
  try {
    parse(raw, format);
  } catch (error) {
    expect(error).to.be.instanceOf(Problem);
    expect((error as Problem).status).to.equal(400);
    return (error as Problem).extra.errors as { parameter: string; message: string }[];
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe('records query: parsing (unit)', () => {
  it('reads each comparison operator with its value, and * as the like wildcard', () => {
    for (const op of ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(parse({ temp: `${op}.2.5` }).filters).to.deep.equal([
        { column: SCHEMA.get('temp'), op, value: '2.5' },
      ]);
    }
    expect(parse({ station: 'like.*Alaska*' }).filters[0]).to.include({ op: 'like', value: '%Alaska%' });
    expect(parse({ station: 'ilike.an*' }).filters[0]).to.include({ op: 'ilike', value: 'an%' });
  });

  it('splits in.(…) lists at commas outside double quotes, unescaping \\"', () => {
    expect(parse({ station: 'in.("a,b",c, d ,"e\\"f")' }).filters[0]).to.deep.include({
      op: 'in',
      values: ['a,b', 'c', 'd', 'e"f'],
    });
    expect(parse({ id: 'in.(1,2,3)' }).filters[0]).to.deep.include({ values: ['1', '2', '3'] });
    const many = Array.from({ length: 101 }, (_, i) => i).join(',');
    expect(problemsOf({ id: `in.(${many})` })).to.deep.equal([
      { parameter: 'id', message: 'in needs 1 to 100 values: id=in.(a,b,c)' },
    ]);
  });

  it('takes is.null and is.not_null on any column, is.true/false on booleans only', () => {
    expect(parse({ tags: 'is.null' }).filters[0]).to.include({ op: 'is', value: 'null' });
    expect(parse({ ok: 'is.false' }).filters[0]).to.include({ op: 'is', value: 'false' });
    expect(problemsOf({ temp: 'is.true' })[0]?.message).to.equal(
      'is.true applies to boolean columns; temp is DOUBLE',
    );
    expect(problemsOf({ ok: 'is.maybe' })[0]?.message).to.match(/^is\.maybe: use is\.null/);
  });

  it('names every problem of a query at once, each with its parameter', () => {
    const problems = problemsOf({
      nope: 'eq.1',
      temp: 'between.1',
      id: 'eq',
      station: 'eq.x',
      order: 'x.up',
      limit: '0',
    });
    expect(problems.map((p) => p.parameter)).to.have.members(['nope', 'temp', 'id', 'order', 'limit']);
    expect(problems.find((p) => p.parameter === 'nope')?.message).to.match(
      /^unknown column or parameter "nope"; columns are id, station/,
    );
    expect(problems.find((p) => p.parameter === 'id')?.message).to.equal('eq needs a value: id=eq.<value>');
  });

  it('refuses like on a column that is not text, and a filter on a column no value compares with', () => {
    expect(problemsOf({ temp: 'like.1*' })[0]?.message).to.equal(
      'like applies to text columns; temp is DOUBLE',
    );
    expect(problemsOf({ tags: 'eq.x' })[0]?.message).to.match(/cannot be compared to a value/);
  });

  it('orders by the terms asked, each once, then by the key', () => {
    const { sort, ordered } = parse({ order: 'temp.desc,station,temp.asc' });
    expect(sort.map((s) => `${s.column.name}.${s.direction}`)).to.deep.equal([
      'temp.desc',
      'station.asc',
      'id.asc',
    ]);
    expect(ordered).to.equal(true);
    expect(parse({}).sort.map((s) => s.column.name)).to.deep.equal(['id']);
    expect(parse({}).ordered).to.equal(false);
    expect(problemsOf({ order: Array(9).fill('id').join(',') })[0]).to.deep.equal({
      parameter: 'order',
      message: 'at most 8 terms',
    });
  });

  it('pages JSON by 100 by default and at most 1000 rows; exports every row unless limited', () => {
    expect(parse({}).limit).to.equal(100);
    expect(parse({ limit: '1000' }).limit).to.equal(1000);
    // A larger limit is served in pages of 1000, each with its `next`: the document allows it for every format.
    expect(parse({ limit: '1001' }).limit).to.equal(1000);
    expect(parse({}, 'csv').limit).to.equal(undefined);
    expect(parse({ limit: '5000' }, 'ndjson').limit).to.equal(5000);
    expect(problemsOf({ limit: '0' }, 'parquet')[0]?.message).to.equal('must be at least 1');
  });

  it('gives the same digest to the same query however its filters are ordered, and another to another', () => {
    const filters = fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('id', 'temp'),
        op: fc.constantFrom('eq', 'gt', 'lt'),
        n: fc.integer(),
      }),
      { minLength: 1, maxLength: 6, selector: (f) => `${f.name}.${f.op}.${f.n}` },
    );
    fc.assert(
      fc.property(filters, (list) => {
        const raw = (items: typeof list) => {
          const out: Record<string, string[]> = {};
          for (const f of items) out[f.name] = [...(out[f.name] ?? []), `${f.op}.${f.n}`];
          return out;
        };
        const forward = parse(raw(list)).normalized;
        expect(parse(raw([...list].reverse())).normalized).to.equal(forward);
        expect(parse(raw([...list, { name: 'temp', op: 'eq', n: 0.5 }])).normalized).to.not.equal(forward);
      }),
      { numRuns: 200 },
    );
  });
});

describe('records query: values by column type (unit)', () => {
  const cases: [string, string[], string[]][] = [
    ['TINYINT', ['-128', '127', '+5'], ['128', '1.5', 'x', '']],
    ['UBIGINT', ['0', '18446744073709551615'], ['-1', '18446744073709551616']],
    ['DOUBLE', ['1', '-2.5', '.5', '1e10', '3.'], ['NaN', 'Infinity', '1e999', '0x10', '']],
    ['BOOLEAN', ['true', 'false'], ['TRUE', '1', 'yes']],
    ['DATE', ['2024-02-29'], ['2024-13-01', '24-01-01', '2024-01-01T00:00']],
    [
      'TIMESTAMPTZ',
      ['2018-02-06T21:54:00.730Z', '2018-02-06 21:54', '2018-02-06T22:54:00+01:00'],
      ['yesterday', '2018-02-06T25:00'],
    ],
    ['TIME', ['21:54', '21:54:00.5'], ['9:54', '21h54']],
    ['UUID', ['123e4567-e89b-12d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-42661417400']],
  ];
  for (const [type, good, bad] of cases) {
    it(`${type}: takes ${good.join(' ')}; refuses ${bad.map((b) => JSON.stringify(b)).join(' ')}`, () => {
      const c = column('v', type);
      for (const value of good) expect(invalidValue(c, value), value).to.equal(undefined);
      for (const value of bad) expect(invalidValue(c, value), value).to.be.a('string').and.include('v');
    });
  }

  it('takes any text in a VARCHAR column', () => {
    fc.assert(fc.property(fc.string(), (text) => invalidValue(column('v', 'VARCHAR'), text) === undefined));
  });
});
