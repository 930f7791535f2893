import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { preparedRows } from '../../src/lake/prepared.js';

describe('statements prepared once per session and shape (unit)', () => {
  it('answers every shape with its own values, also after more shapes than a session keeps, and after an error', async () => {
    const engine = await DuckDBInstance.create(':memory:');
    const connection = await engine.connect();
    try {
      await connection.run('CREATE TABLE t AS SELECT range AS i FROM range(100)');
      const below = (shape: number, value: number) =>
        preparedRows<{ n: string }>(
          connection,
          `SELECT count(*)::VARCHAR AS n, ${shape} AS shape FROM t WHERE i < CAST(? AS INTEGER)`,
          [String(value)],
        );
      // Forty shapes, more than a session keeps: the first ones are prepared again when asked again.
      for (let shape = 0; shape < 40; shape++)
        expect((await below(shape, shape))[0]).to.include({ n: String(shape) });
      for (let shape = 0; shape < 40; shape++)
        expect((await below(shape, 99 - shape))[0]).to.include({ n: String(99 - shape) });
      // A value the statement cannot take fails that request only; the shape still answers the next one.
      const failed = await below(1, Number.NaN).catch((error: unknown) => error);
      expect(String(failed)).to.match(/Conversion Error/);
      expect((await below(1, 7))[0]).to.include({ n: '7' });
    } finally {
      connection.closeSync();
      engine.closeSync();
    }
  });
});
