import type pg from 'pg';
import { messageOf } from '../errors.js';

/** How long a replica waits for another one to finish setting up the catalog before it gives up. */
const WAIT_SECONDS = 120;

/**
 * Runs `setup` (attaching the lake, preparing the journal) while holding the catalog's setup lock, so replicas that
 * start together on a new PostgreSQL catalog create DuckLake's tables and the journal's one at a time: the first
 * creates them, the others find them made. A session-level advisory lock, held on a connection of its own:
 * PostgreSQL frees it when the session ends, also when the process dies mid-setup.
 */
export async function underSetupLock<T>(
  catalog: { server: string; session: () => Promise<pg.Client> },
  setup: () => Promise<T>,
): Promise<T> {
  const client = await catalog.session().catch((error: unknown) => {
    throw new Error(
      `cannot attach the lake: its catalog at ${catalog.server} does not answer: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  });
  try {
    await client.query(`SET lock_timeout = '${WAIT_SECONDS}s'`);
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [SETUP_KEY]);
  } catch (error) {
    await client.end().catch(() => undefined);
    if (/lock timeout/i.test(messageOf(error))) {
      throw new Error(
        `cannot attach the lake: another replica held the catalog's setup lock for over ${WAIT_SECONDS} s; is one stuck attaching it?`,
        { cause: error },
      );
    }
    throw new Error(`cannot attach the lake: cannot take the catalog's setup lock: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    return await setup();
  } finally {
    // Ending the session frees the lock; an unlock first would only add a round trip.
    await client.end().catch(() => undefined);
  }
}

const SETUP_KEY = 'odp-catalog-setup';
