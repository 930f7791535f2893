import os from 'node:os';
import path from 'node:path';

/** Where .ci/setup.d/ installs command-line tools (the same default as .ci/node24.sh). */
export const toolsHome = process.env.ODP_TOOLS ?? path.join(os.homedir(), '.cache', 'odp', 'tools');
