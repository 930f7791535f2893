import type { ResourceView } from './ResourceView.js';

// Meta-arguments describe how Terraform manages a resource, not the resource itself.
const metaArguments = new Set(['//', 'count', 'for_each', 'depends_on', 'lifecycle', 'provider']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function section(
  document: Record<string, unknown>,
  key: 'resource' | 'data',
  prefix: string,
): ResourceView[] {
  const byType = document[key];
  if (byType === undefined) return [];
  if (!isObject(byType)) throw new Error(`cdk.tf.json: "${key}" must be an object of resource types`);
  return Object.entries(byType).flatMap(([type, byName]) => {
    if (!isObject(byName))
      throw new Error(`cdk.tf.json: "${key}.${type}" must be an object of named resources`);
    return Object.entries(byName).map(([name, body]) => {
      if (!isObject(body)) throw new Error(`cdk.tf.json: "${key}.${type}.${name}" must be an object`);
      const values = Object.fromEntries(
        Object.entries(body).filter(([attribute]) => !metaArguments.has(attribute)),
      );
      return { address: `${prefix}${type}.${name}`, type, values };
    });
  });
}

/** The resources and data sources of one synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`). */
export function resourcesFromSynth(cdkTfJson: unknown): ResourceView[] {
  if (!isObject(cdkTfJson)) throw new Error('cdk.tf.json: expected a Terraform JSON object at the top level');
  return [...section(cdkTfJson, 'resource', ''), ...section(cdkTfJson, 'data', 'data.')];
}
