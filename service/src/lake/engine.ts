import { DuckDBInstance } from '@duckdb/node-api';

/**
 * A DuckDB engine that only ever loads extensions from the project's own extension directory:
 * production never downloads code at request time.
 */
export async function createEngine(extensionDir: string, dbPath = ':memory:'): Promise<DuckDBInstance> {
  return DuckDBInstance.create(dbPath, {
    extension_directory: extensionDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  });
}
