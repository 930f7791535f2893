import type { DuckDBConnection } from '@duckdb/node-api';
import { OdpError } from '../errors.js';
import { rows } from '../lake/query.js';

export interface StoredRun {
  run_id: string;
  dataset: string;
  status: string;
  increments: string[] | null;
}

/** A past run, for replaying its increments. */
export async function findRun(connection: DuckDBConnection, runId: string): Promise<StoredRun> {
  const [run] = await rows<StoredRun>(
    connection,
    'SELECT run_id, dataset, status, increments FROM lake.odp.runs WHERE run_id = ?',
    [runId],
  );
  if (!run) throw new OdpError('run-unknown', `no ingest run with id ${runId}`, { expose: true });
  if (!run.increments?.length)
    throw new OdpError('run-unknown', `run ${runId} stored no increment to replay (${run.status})`);
  return run;
}
