import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import fc from 'fast-check';
import type { ColumnInfo } from '../../src/api/http/catalogCache.js';
import { changesSql } from '../../src/api/records/changes.js';
import { markRedrivenSql, quarantineWhere } from '../../src/journal/quarantine.js';
import { RUN_DERIVED, RUN_STATUSES, RUN_TRIGGERS, Run, type RunEntry } from '../../src/journal/run.js';
import { RUN_COLUMNS, runInsert, runSelect, runsTableColumns } from '../../src/journal/runColumns.js';
import { storeSummaries } from '../../src/journal/summaries.js';
import { rows } from '../../src/lake/query.js';

/** Text a client could send: quotes, semicolons, comments and all. */
const hostile = fc.oneof(fc.string(), fc.constantFrom("x' OR '1'='1", "'; DROP TABLE runs; --", '"quoted"'));

describe('SQL builders bind every value they are given (unit)', () => {
  it('quarantine filters: the dataset and the run id are parameters, never SQL text', () => {
    fc.assert(
      fc.property(hostile, hostile, (dataset, run) => {
        fc.pre(run !== '');
        const where = quarantineWhere(dataset, { runId: run });
        expect(where.params).to.deep.equal([dataset, run]);
        expect(where.sql).to.equal('dataset = ? AND replayed_by IS NULL AND run_id = ?');
        const mark = markRedrivenSql(dataset, { runId: run }, 'new-run');
        expect(mark.sql.split('?').length - 1).to.equal(mark.params.length);
        expect(mark.params).to.deep.equal(['new-run', dataset, run, 'new-run']);
      }),
    );
    expect(quarantineWhere('d', { includeReplayed: true })).to.deep.equal({
      sql: 'dataset = ?',
      params: ['d'],
    });
  });

  it('summaries are stored with their owner, model and run bound', () => {
    const stored = storeSummaries({ dataset: "o'brien", enrichment: 'gist' }, 'fresh', {
      model: 'm',
      runId: 'r',
    });
    expect(stored.sql).to.not.include("o'brien");
    expect(stored.params).to.deep.equal(["o'brien", 'gist', 'm', 'r']);
  });

  it('change feed pages bind the cursor, and read one row beyond the page', () => {
    const columns: ColumnInfo[] = [
      { name: 'at', type: 'TIMESTAMPTZ', nullable: true, description: undefined },
    ];
    const first = changesSql('readings', columns, { from: 1, to: 4 }, undefined, 10);
    expect(first.params).to.deep.equal([]);
    expect(first.sql).to.match(/LIMIT 11$/);
    const next = changesSql('readings', columns, { from: 1, to: 4 }, [3, 17, 2], 10);
    expect(next.params).to.deep.equal(['3', '3', '17', '17', '2']);
    expect(next.sql.split('?').length - 1).to.equal(5);
    expect(() => changesSql('readings', columns, { from: -1, to: 4 }, undefined, 10)).to.throw(
      /not a snapshot id/,
    );
  });
});

describe('the runs table follows the Run schema (unit)', () => {
  it('stores every field of Run but those the journal derives when it reads a run', () => {
    const stored = RUN_COLUMNS.map((c) => c.name as string);
    expect([...stored, ...RUN_DERIVED].sort()).to.deep.equal(Object.keys(Run.shape).sort());
    expect(runsTableColumns()).to.match(
      /^run_id VARCHAR NOT NULL, .*error VARCHAR, .*started_at TIMESTAMPTZ NOT NULL/,
    );
    expect(runsTableColumns()).to.include('increments VARCHAR[], ');
    expect(runsTableColumns()).to.match(
      /source_etag VARCHAR, source_last_modified VARCHAR, source_digest VARCHAR$/,
    );
  });

  it('reads back a run exactly as it wrote it, in the order of the schema', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run("ATTACH ':memory:' AS lake");
      await connection.run('CREATE SCHEMA lake.odp');
      await connection.run(`CREATE TABLE lake.odp.runs (${runsTableColumns()})`);
      const entries = fc.sample(
        fc.record({
          run_id: fc.string({ minLength: 1 }),
          dataset: fc.string(),
          trigger: fc.constantFrom(...RUN_TRIGGERS),
          source: hostile,
          status: fc.constantFrom(...RUN_STATUSES),
          error: fc.option(hostile, { nil: null }),
          started_at: fc
            .date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true })
            .map((d) => d.toISOString()),
          ended_at: fc.constant('2026-12-07T02:30:45.123Z'),
          received: fc.nat(),
          inserted: fc.nat(),
          updated: fc.nat(),
          unchanged: fc.nat(),
          quarantined: fc.nat(),
          increments: fc.array(hostile, { maxLength: 3 }),
          notes: fc.array(hostile, { maxLength: 3 }),
        }) satisfies fc.Arbitrary<RunEntry>,
        25,
      );
      for (const entry of entries) {
        const insert = runInsert('lake.odp.runs', entry, { etag: '"e"', lastModified: null, digest: null });
        await connection.run(insert.sql, insert.params);
        const select = runSelect('r', { snapshot_id: 'NULL', top_reasons: '[]' });
        const [back] = await rows<Run>(connection, `SELECT ${select} FROM lake.odp.runs r WHERE run_id = ?`, [
          entry.run_id,
        ]);
        expect(Object.keys(back!)).to.deep.equal(Object.keys(Run.shape));
        expect(Run.parse(back)).to.deep.equal({ ...entry, snapshot_id: null, top_reasons: [] });
        await connection.run('DELETE FROM lake.odp.runs');
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
