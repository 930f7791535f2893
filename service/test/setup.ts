import { buildConsole } from '../console/build.js';
import { loadConfig } from '../src/config/config.js';
import { provisionExtensions } from '../src/extensions/provision.js';

/**
 * Tests run against real DuckDB extensions, provisioned once where the service looks for them, and against the
 * web console as the service serves it, built once (in well under a second).
 */
export const { extensionDir, extensionSources } = loadConfig();

export const mochaGlobalSetup = async () => {
  await provisionExtensions(extensionDir, extensionSources);
  await buildConsole();
};
