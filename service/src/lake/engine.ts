import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { rows } from './query.js';

/** How the lake's engine uses memory and disk. */
export interface EngineBudget {
  /** Where DuckDB spills work that does not fit in `memoryLimit`; must be writable (the root filesystem is read-only). */
  spillDir: string;
  memoryLimit: string | undefined;
  /**
   * Whether DuckDB keeps copies of the files it reads in its own memory. Worth it for remote storage, where a copy
   * saves a download; a local folder is already in the OS page cache, and DuckDB's copies there only add up: they
   * include files no read opens again (ingested increments, Parquet files maintenance replaced) and stay until the
   * memory limit forces them out.
   */
  cacheFiles: boolean;
}

/**
 * A DuckDB engine that only ever loads extensions from the project's own extension directory:
 * production never downloads code at request time.
 */
export async function createEngine(extensionDir: string, budget?: EngineBudget): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    extension_directory: extensionDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
    ...(budget
      ? { temp_directory: budget.spillDir, enable_external_file_cache: String(budget.cacheFiles) }
      : {}),
    ...(budget?.memoryLimit ? { memory_limit: budget.memoryLimit } : {}),
  });
}

/** What DuckDB holds in its own memory, by tag (`duckdb_memory()`): the native part of the process's RSS. */
export function engineMemory(connection: DuckDBConnection): Promise<{ tag: string; bytes: number }[]> {
  return rows(connection, 'SELECT tag, memory_usage_bytes::DOUBLE AS bytes FROM duckdb_memory()');
}
