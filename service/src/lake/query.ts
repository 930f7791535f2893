import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

export type Row = Record<string, unknown>;

/** SQL with its values bound, never pasted in: what a caller hands over to run later (in a transaction, a page). */
export interface Statement {
  sql: string;
  params: string[];
}

/** Runs statements in order on one connection. */
export async function runAll(connection: DuckDBConnection, statements: readonly Statement[]): Promise<void> {
  for (const s of statements) await connection.run(s.sql, s.params);
}

/** Runs a query and returns its rows as JSON-safe objects (big integers become strings, timestamps ISO text). */
export async function rows<T extends object = Row>(
  connection: DuckDBConnection,
  sql: string,
  values?: DuckDBValue[] | Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getRowObjectsJson() as T[];
}

/** Runs statements one after another inside one transaction: all of them commit, or none. */
export async function transaction(connection: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
