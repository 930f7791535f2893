import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as kustomizeToolkit from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import * as notificationToolkit from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3';
import * as sourceToolkit from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { stringify } from 'yaml';
import { type KubernetesObject, objectName } from './kustomize.js';
import { pythonTool } from './pythonTools.js';

/** The AKS version the poc cluster runs (1.34 carries the Blob CSI driver with workload-identity mounts). */
export const KUBERNETES_VERSION = '1.34.0';

/**
 * Custom resources of AKS add-ons for which no registry package publishes a schema. Their shape is
 * asserted field by field in the manifest tests instead; any other unknown kind fails validation.
 */
export const UNPUBLISHED_SCHEMAS = new Set([
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass',
  'approuting.kubernetes.azure.com/v1alpha1/NginxIngressController',
]);

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

const FLUX_MODELS: Record<string, Record<string, unknown>> = {
  'kustomize.toolkit.fluxcd.io/v1': kustomizeToolkit,
  'notification.toolkit.fluxcd.io/v1beta3': notificationToolkit,
  'source.toolkit.fluxcd.io/v1': sourceToolkit,
};

const run = promisify(execFile);

/** Flux objects against the Flux CRD schemas packaged by @kubernetes-models/flux-cd. */
function fluxProblems(object: KubernetesObject): string[] | undefined {
  const models = FLUX_MODELS[object.apiVersion];
  if (!models) return undefined;
  const Model = models[object.kind] as ModelClass | undefined;
  if (!Model) return [`${objectName(object)}: ${object.apiVersion} has no kind ${object.kind}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${objectName(object)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * Built-in kinds against the Kubernetes OpenAPI schemas of KUBERNETES_VERSION, strictly (an unknown field is
 * an error, as the API server's strict field validation makes it), with kubernetes-validate.
 */
async function builtInProblems(objects: KubernetesObject[]): Promise<string[]> {
  if (objects.length === 0) return [];
  const tool = await pythonTool('kubernetes-validate');
  const folder = await mkdtemp(path.join(os.tmpdir(), 'odp-validate-'));
  try {
    const file = path.join(folder, 'objects.yaml');
    await writeFile(file, objects.map((object) => stringify(object)).join('---\n'));
    const result = await run(tool, ['--strict', '--quiet', '-k', KUBERNETES_VERSION, file]).then(
      ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
      (error: { stdout?: string; stderr?: string; message: string }) => ({
        ok: false,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message,
      }),
    );
    const lines = result.output
      .split('\n')
      .filter((line) => /\b(ERROR|WARN|CRITICAL)\b/.test(line) || /Couldn't/.test(line))
      .map((line) => line.replace(`${file} `, ''));
    return result.ok && lines.length === 0 ? [] : lines.length > 0 ? lines : [result.output.trim()];
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Every problem found in `objects`, one line each naming the object; empty when all are valid. */
export async function schemaProblems(objects: KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  const builtIn: KubernetesObject[] = [];
  for (const object of objects) {
    const flux = fluxProblems(object);
    if (flux) problems.push(...flux);
    else if (UNPUBLISHED_SCHEMAS.has(`${object.apiVersion}/${object.kind}`)) continue;
    else builtIn.push(object);
  }
  problems.push(...(await builtInProblems(builtIn)));
  return problems;
}
