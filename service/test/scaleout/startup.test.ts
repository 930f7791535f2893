import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ScaleOut } from '../../standins/scaleOut.js';
import { Replica } from '../fixtures/replica.js';

/** Rounds of a fresh deployment; `ODP_TEST_STARTUP_ROUNDS` raises it for a longer hunt. */
const ROUNDS = Number(process.env.ODP_TEST_STARTUP_ROUNDS ?? 3);
const REPLICAS = 4;

describe('scale-out: replicas starting together on a new catalog', function () {
  this.timeout(ROUNDS * 120_000);
  let stack: ScaleOut;

  before(async () => {
    stack = await ScaleOut.start();
  });
  after(async () => {
    await stack?.stop();
  });

  it(`all become ready, ${REPLICAS} at once on an empty catalog, ${ROUNDS} deployments in a row`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round is a new deployment: an empty catalog database and an empty lake folder.
      const database = `ducklake_fresh_${round}`;
      await stack.postgres.admin((client) =>
        client.query(`CREATE DATABASE ${database} OWNER ${ScaleOut.role}`),
      );
      const env = {
        ...stack.env(),
        ODP_CATALOG: `postgres:${stack.postgres.conninfo(ScaleOut.role, database)}`,
        ODP_DATA_PATH: `az://lake/fresh-${round}`,
      };
      const started = await Promise.allSettled(Array.from({ length: REPLICAS }, () => Replica.start(env)));
      const replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      await Promise.all(replicas.map((r) => r.stop()));
      const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(failures, `round ${round}`).to.deep.equal([]);

      // One catalog came of it: DuckLake's tables and the journal's, each made once.
      const tables = await stack.postgres.admin(
        async (client) =>
          (
            await client.query<{ table_name: string }>(
              'SELECT table_name FROM ducklake_table WHERE end_snapshot IS NULL ORDER BY table_name',
            )
          ).rows,
        database,
      );
      expect(tables.map((t) => t.table_name)).to.deep.equal([
        'quarantine',
        'runs',
        'summaries',
        'summary_failures',
      ]);
    }
  });
});
