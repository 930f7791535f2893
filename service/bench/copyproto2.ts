import { loadConfig } from '../src/config/config.js';
import { Lake } from '../src/lake/lake.js';
import { rows } from '../src/lake/query.js';

const env = {
  ODP_DATA_DIR: `${process.env.HOME}/.cache/odp/bench-api/data`,
  ODP_DATASETS: 'datasets',
  ODP_LOG_LEVEL: 'warn',
};
const lake = await Lake.open(loadConfig({ ...process.env, ...env }));
const variants = (process.env.VARIANTS ?? 'a').split(';');
await lake.session(async (c) => {
  await c.run("SET TimeZone='UTC'");
  if (process.env.THREADS) await c.run(`SET threads=${process.env.THREADS}`);
  const mem = async () =>
    (
      await rows<{ b: number }>(
        c,
        "SELECT sum(memory_usage_bytes)::DOUBLE b FROM duckdb_memory() WHERE tag='IN_MEMORY_TABLE'",
      )
    )[0]!.b;
  let n = 0;
  for (const v of variants) {
    const [order, rg, col] = v.split(':');
    const db = `s${n++}`;
    const m0 = await mem();
    const t0 = performance.now();
    await c.run(`ATTACH ':memory:' AS ${db}${rg ? ` (ROW_GROUP_SIZE ${rg})` : ''}`);
    await c.run(
      `CREATE TABLE ${db}.main.f AS SELECT * EXCLUDE (_odp_hash) FROM lake.main.flights ORDER BY ${order}`,
    );
    const built = performance.now() - t0;
    const bytes = (await mem()) - m0;
    const airports = ['ORD', 'ATL', 'DFW', 'LAX', 'SFO', 'DTW', 'PHX', 'LAS', 'DEN', 'IAH'];
    const column = col ?? 'origin';
    const sql = `SELECT * FROM (SELECT date, delay, distance, origin, destination, delay_band, route FROM ${db}.main.f WHERE ${column} = $1 AND date < $2::TIMESTAMP ORDER BY date DESC NULLS LAST, origin ASC NULLS LAST, destination ASC NULLS LAST, delay ASC NULLS LAST, distance ASC NULLS LAST LIMIT 101) ORDER BY date DESC NULLS LAST, origin ASC NULLS LAST, destination ASC NULLS LAST, delay ASC NULLS LAST, distance ASC NULLS LAST`;
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      await c.runAndReadAll(sql, [airports[i % 10]!, `2001-${String(1 + (i % 12)).padStart(2, '0')}-15`]);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    console.log(
      v,
      'MiB',
      (bytes / 2 ** 20).toFixed(0),
      'build s',
      (built / 1000).toFixed(2),
      'p50 ms',
      times[100]!.toFixed(2),
      'p90',
      times[180]!.toFixed(2),
    );
    if (process.env.EXPLAIN)
      console.log(
        (await c.runAndReadAll(`EXPLAIN ANALYZE ${sql}`, ['ATL', '2001-06-15'])).getRowObjectsJson()[0],
      );
  }
});
lake.close();
