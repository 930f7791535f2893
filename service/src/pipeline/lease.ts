import type pg from 'pg';
import { OdpError } from '../errors.js';

/** Held while a run writes a dataset; DuckLake has no primary keys, so two writers could both insert a key. */
export interface Lease {
  release(): Promise<void>;
}

export interface LeaseProvider {
  /** Takes the dataset's writer lease for `holder` (a run id), or throws `lease-held` naming the current holder. */
  acquire(dataset: string, holder: string): Promise<Lease>;
}

/**
 * Leases within one process. Enough for the embedded default: its DuckDB catalog file is locked by the one
 * process that opens it, so no other process can write at all.
 */
export class ProcessLeases implements LeaseProvider {
  readonly #holders = new Map<string, string>();

  async acquire(dataset: string, holder: string): Promise<Lease> {
    const current = this.#holders.get(dataset);
    if (current) {
      throw new OdpError(
        'lease-held',
        `${dataset} is being ingested by run ${current}; run ${holder} was refused`,
        {
          details: { dataset, holder: current },
          expose: true,
        },
      );
    }
    this.#holders.set(dataset, holder);
    return {
      release: async () => {
        if (this.#holders.get(dataset) === holder) this.#holders.delete(dataset);
      },
    };
  }
}

/** Opens a PostgreSQL session for a lease; `applicationName` tells other replicas who holds it. */
export type LeaseSession = (applicationName: string) => Promise<pg.Client>;

const APPLICATION = 'odp ingest';

/**
 * Leases shared by every replica on one PostgreSQL catalog: a session-level advisory lock keyed by the dataset,
 * held on a connection of its own for the whole run. PostgreSQL releases it when the run ends, and also when the
 * process dies, since its session ends with it: a crashed writer never blocks the next run.
 */
export class PostgresLeases implements LeaseProvider {
  readonly #open: LeaseSession;

  constructor(open: LeaseSession) {
    this.#open = open;
  }

  async acquire(dataset: string, holder: string): Promise<Lease> {
    const client = await this.#open(`${APPLICATION} ${holder}`);
    let lost: Error | undefined;
    // A dropped lease connection ends the lock with it; the run is told at release rather than crashing the process.
    client.on('error', (error) => {
      lost = error;
    });
    try {
      const { rows } = await client.query<{ taken: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS taken',
        [leaseKey(dataset)],
      );
      if (!rows[0]?.taken) throw await leaseHeld(client, dataset, holder);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      release: async () => {
        if (lost) {
          await client.end().catch(() => undefined);
          throw new Error(`the writer lease on ${dataset} was lost mid-run: ${lost.message}`);
        }
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [leaseKey(dataset)]);
        await client.end();
      },
    };
  }
}

const leaseKey = (dataset: string) => `odp-ingest:${dataset}`;

/** `lease-held`, naming the run (and replica host) that holds the lock, read from its session. */
async function leaseHeld(client: pg.Client, dataset: string, refused: string): Promise<OdpError> {
  const { rows } = await client.query<{ application_name: string; client_addr: string | null; pid: number }>(
    `SELECT a.application_name, host(a.client_addr) AS client_addr, a.pid
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
    [leaseKey(dataset)],
  );
  const session = rows[0];
  const current = session?.application_name.startsWith(`${APPLICATION} `)
    ? session.application_name.slice(APPLICATION.length + 1)
    : undefined;
  const where = session
    ? ` on another replica (${session.client_addr ?? 'local socket'}, session ${session.pid})`
    : '';
  return new OdpError(
    'lease-held',
    `${dataset} is being ingested by run ${current ?? 'of another replica'}${where}; run ${refused} was refused`,
    { details: { dataset, holder: current ?? null }, expose: true },
  );
}
