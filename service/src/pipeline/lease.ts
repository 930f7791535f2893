import os from 'node:os';
import type pg from 'pg';
import { OdpError } from '../errors.js';
import type { RunInProgress, RunTrigger } from '../journal/run.js';

/** A run as it announces itself while it holds its dataset's lease: what any replica answers for it meanwhile. */
export interface RunUnderWay {
  run_id: string;
  dataset: string;
  trigger: RunTrigger;
  source: string;
  started_at: string;
  /** The host and process that run it. */
  replica: string;
}

/** What every replica answers for a run while it holds its lease. */
export const inProgress = ({
  run_id,
  dataset,
  trigger,
  started_at,
  replica,
}: RunUnderWay): RunInProgress => ({
  run_id,
  dataset,
  status: 'running',
  trigger,
  started_at,
  replica,
});

/** Held while a run writes a dataset; DuckLake has no primary keys, so two writers could both insert a key. */
export interface Lease {
  /** The run holding it, as it announces itself to the other replicas. */
  readonly run: RunUnderWay;
  release(): Promise<void>;
  /**
   * The run that held this lease before and ended without letting it go (its process died, or lost its catalog
   * connection): the run taking it now records that one as abandoned, unless it recorded an outcome itself.
   */
  readonly unfinished: RunUnderWay | undefined;
}

export interface LeaseProvider {
  /** Takes the dataset's writer lease for `run`, or throws `lease-held` naming the current holder. */
  acquire(run: Omit<RunUnderWay, 'replica'>): Promise<Lease>;
  /** The runs holding their leases now, wherever they run among the replicas these leases are shared by. */
  runsUnderWay(): Promise<RunUnderWay[]>;
}

/** This process, as a lease names it. */
const REPLICA = `${os.hostname()} pid ${process.pid}`;

/**
 * Leases within one process. Enough for the embedded default: its DuckDB catalog file is locked by the one
 * process that opens it, so no other process can write at all.
 */
export class ProcessLeases implements LeaseProvider {
  readonly #holders = new Map<string, RunUnderWay>();

  async acquire(run: Omit<RunUnderWay, 'replica'>): Promise<Lease> {
    const { dataset, run_id: holder } = run;
    const current = this.#holders.get(dataset)?.run_id;
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
    const held = { ...run, replica: REPLICA };
    this.#holders.set(dataset, held);
    return {
      run: held,
      // A run of this process that ended without releasing died with the process, and with this map.
      unfinished: undefined,
      release: async () => {
        if (this.#holders.get(dataset)?.run_id === holder) this.#holders.delete(dataset);
      },
    };
  }

  async runsUnderWay(): Promise<RunUnderWay[]> {
    return [...this.#holders.values()];
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
  #table: Promise<void> | undefined;

  constructor(open: LeaseSession) {
    this.#open = open;
  }

  async acquire(run: Omit<RunUnderWay, 'replica'>): Promise<Lease> {
    const { dataset, run_id: holder } = run;
    const client = await this.#open(`${APPLICATION} ${holder}`);
    let lost: Error | undefined;
    // A dropped lease connection ends the lock with it; the run is told at release rather than crashing the process.
    client.on('error', (error) => {
      lost = error;
    });
    let unfinished: RunUnderWay | undefined;
    try {
      const { rows } = await client.query<{ taken: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS taken',
        [leaseKey(dataset)],
      );
      if (!rows[0]?.taken) throw await leaseHeld(client, dataset, holder);
      await this.#tableMade(client);
      // A row still here belongs to a run that never released the lease: every run that does removes its row.
      const { rows: left } = await client.query<RunUnderWay>(
        `SELECT ${COLUMNS} FROM ${TABLE} WHERE dataset = $1`,
        [dataset],
      );
      unfinished = left[0];
      await client.query(
        `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (dataset) DO UPDATE SET run_id = $1, trigger = $3, source = $4, started_at = $5, replica = $6`,
        [holder, dataset, run.trigger, run.source, run.started_at, REPLICA],
      );
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      run: { ...run, replica: REPLICA },
      unfinished,
      release: async () => {
        if (lost) {
          await client.end().catch(() => undefined);
          throw new Error(`the writer lease on ${dataset} was lost mid-run: ${lost.message}`);
        }
        await client.query(`DELETE FROM ${TABLE} WHERE dataset = $1 AND run_id = $2`, [dataset, holder]);
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [leaseKey(dataset)]);
        await client.end();
      },
    };
  }

  async runsUnderWay(): Promise<RunUnderWay[]> {
    const client = await this.#open('odp runs');
    try {
      const { rows } = await client.query<RunUnderWay>(
        `SELECT ${COLUMNS} FROM ${TABLE} w WHERE EXISTS (${heldLock('1', `'${LEASE_PREFIX}' || w.dataset`)})
         ORDER BY w.started_at DESC`,
      );
      return rows;
    } catch (error) {
      // No run has taken a lease on this catalog yet.
      if ((error as { code?: string }).code === '42P01') return [];
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** The table of runs holding leases, made once per catalog; replicas making it at once take turns. */
  #tableMade(client: pg.Client): Promise<void> {
    this.#table ??= (async () => {
      await client.query('BEGIN');
      try {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('odp-writer-leases', 0))");
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${TABLE} (dataset text PRIMARY KEY, run_id text NOT NULL, trigger text NOT NULL,
             source text NOT NULL, started_at text NOT NULL, replica text NOT NULL)`,
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        this.#table = undefined;
        throw error;
      }
    })();
    return this.#table;
  }
}

/** The runs that hold a writer lease (one row per dataset), in the catalog's database beside the locks. */
const TABLE = 'odp_writer_leases';
const COLUMNS = 'run_id, dataset, trigger, source, started_at, replica';
/** `what` of the granted advisory lock whose 64-bit key is `key` (an SQL expression), in this database. */
const heldLock = (what: string, key: string) => `SELECT ${what} FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${key}, 0)`;

const LEASE_PREFIX = 'odp-ingest:';
const leaseKey = (dataset: string) => `${LEASE_PREFIX}${dataset}`;

/** `lease-held`, naming the run (and replica host) that holds the lock, read from its session. */
async function leaseHeld(client: pg.Client, dataset: string, refused: string): Promise<OdpError> {
  const { rows } = await client.query<{ application_name: string; client_addr: string | null; pid: number }>(
    `SELECT a.application_name, host(a.client_addr) AS client_addr, a.pid FROM pg_stat_activity a
     WHERE a.pid IN (${heldLock('l.pid', '$1')})`,
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
