import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { provisionExtensions } from '../src/extensions/provision.js';

/** Tests run against real DuckDB extensions, provisioned once into the project's extension directory. */
export const extensionDir = path.resolve(
  process.env.ODP_EXTENSION_DIR ?? fileURLToPath(new URL('../.duckdb-extensions', import.meta.url)),
);

export const mochaGlobalSetup = async () => {
  await provisionExtensions(extensionDir, loadConfig().extensionSources);
};
