import { loadConfig } from '../src/config/config.js';
import { provisionExtensions } from '../src/extensions/provision.js';

/** Tests run against real DuckDB extensions, provisioned once where the service looks for them. */
export const { extensionDir, extensionSources } = loadConfig();

export const mochaGlobalSetup = async () => {
  await provisionExtensions(extensionDir, extensionSources);
};
