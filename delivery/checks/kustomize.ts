import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { toolPath } from './tools.js';

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

/**
 * Builds a kustomization the way Flux's kustomize-controller does. Flux confines file loading to the source
 * (the repository) rather than to the kustomization folder, so the base may read service/datasets/; plain
 * kustomize does the same only with the load restrictor off.
 */
export async function buildKustomization(
  directory: string,
): Promise<{ yaml: string; objects: KubernetesObject[] }> {
  const { stdout } = await run(
    toolPath('kubectl'),
    ['kustomize', '--load-restrictor=LoadRestrictionsNone', directory],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`kubectl kustomize ${directory} failed: ${error.stderr?.trim() || error.message}`);
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
