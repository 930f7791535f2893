import { access } from 'node:fs/promises';
import path from 'node:path';
import { toolsHome } from './tools.js';

/**
 * The command-line tools the checks take from PyPI (pinned in delivery/requirements.txt), installed into a
 * virtual environment by .ci/setup.d/delivery.sh.
 */
export type PythonTool = 'check-jsonschema' | 'hadolint' | 'kubernetes-validate';

const pythonToolsHome = path.join(toolsHome, 'delivery-python');

export async function pythonTool(tool: PythonTool): Promise<string> {
  const executable = path.join(pythonToolsHome, 'bin', tool);
  await access(executable).catch(() => {
    throw new Error(`${tool} is not installed at ${executable}; run: bash .ci/setup.d/delivery.sh`);
  });
  return executable;
}
