import path from 'node:path';
import { toolPath } from './tools.js';

/**
 * The command-line tools the checks take from PyPI (pinned in delivery/requirements.txt), installed into one
 * virtual environment, the tool `delivery-python` of .ci/tools.yaml.
 */
export type PythonTool = 'check-jsonschema' | 'hadolint' | 'kubernetes-validate';

export async function pythonTool(tool: PythonTool): Promise<string> {
  return path.join(path.dirname(toolPath('delivery-python')), tool);
}
