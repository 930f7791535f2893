import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { toolsHome } from './tools.js';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

const run = promisify(execFile);

/** `kubectl kustomize` where kubectl is installed, else the kustomize that .ci/setup.d/delivery.sh built. */
async function kustomizeCommand(): Promise<[string, string[]]> {
  const found = await run('kubectl', ['version', '--client']).then(
    () => true,
    () => false,
  );
  if (found) return ['kubectl', ['kustomize']];
  return [path.join(toolsHome, 'bin', 'kustomize'), ['build']];
}

/**
 * Builds a kustomization the way Flux's kustomize-controller does. Flux confines file loading to the source
 * (the repository) rather than to the kustomization folder, so the base may read service/datasets/; plain
 * kustomize does the same only with the load restrictor off.
 */
export async function buildKustomization(
  directory: string,
): Promise<{ yaml: string; objects: KubernetesObject[] }> {
  const [command, verb] = await kustomizeCommand();
  const { stdout } = await run(command, [...verb, '--load-restrictor=LoadRestrictionsNone', directory], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(
      `${command} ${verb.join(' ')} ${directory} failed: ${error.stderr?.trim() || error.message}`,
    );
  });
  const objects = parseAllDocuments(stdout).flatMap((document) => {
    if (!('contents' in document) || document.errors.length > 0) {
      throw new Error(`kubectl kustomize ${directory} printed YAML that does not parse`);
    }
    const value = document.toJS() as KubernetesObject | null;
    return value ? [value] : [];
  });
  return { yaml: stdout, objects };
}

/** `kind/namespace/name`, the way a person names an object in an error message. */
export function objectName(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}
