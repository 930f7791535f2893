import { DuckDBInstance } from '@duckdb/node-api';

/**
 * A DuckDB engine that only ever loads extensions from the project's own extension directory:
 * production never downloads code at request time. `spillDir` is where DuckDB spills work that does not fit in
 * `memoryLimit`; it must be writable (the image's root filesystem is read-only).
 */
export async function createEngine(
  extensionDir: string,
  spill?: { dir: string; memoryLimit: string | undefined },
): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    extension_directory: extensionDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
    ...(spill ? { temp_directory: spill.dir } : {}),
    ...(spill?.memoryLimit ? { memory_limit: spill.memoryLimit } : {}),
  });
}
