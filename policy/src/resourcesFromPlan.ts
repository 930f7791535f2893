import type { ResourceView } from './ResourceView.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `${first reference}` for a configuration expression that refers to other resources. */
function interpolationOf(expression: unknown): string | undefined {
  if (!isObject(expression) || !Array.isArray(expression.references)) return undefined;
  const [first] = expression.references;
  return typeof first === 'string' ? `\${${first}}` : undefined;
}

/**
 * Fills values the plan does not know yet with the reference the configuration gives for them,
 * so a plan reads like the synthesized JSON: `${azurerm_storage_account.lake.id}`.
 */
function withReferences(after: unknown, unknown: unknown, expression: unknown): unknown {
  if (unknown === true) return interpolationOf(expression);
  if (Array.isArray(unknown)) {
    const known = Array.isArray(after) ? after : [];
    const length = Math.max(known.length, unknown.length);
    return Array.from({ length }, (_, i) =>
      withReferences(
        known[i],
        unknown[i],
        Array.isArray(expression) ? (expression[i] ?? expression[0]) : undefined,
      ),
    );
  }
  if (isObject(unknown)) {
    const merged: Record<string, unknown> = isObject(after) ? { ...after } : {};
    for (const [key, nested] of Object.entries(unknown)) {
      const value = withReferences(merged[key], nested, isObject(expression) ? expression[key] : undefined);
      if (value !== undefined) merged[key] = value;
    }
    return merged;
  }
  return after;
}

function configurationExpressions(planJson: Record<string, unknown>): Map<string, unknown> {
  const expressions = new Map<string, unknown>();
  const configuration = planJson.configuration;
  const rootModule = isObject(configuration) ? configuration.root_module : undefined;
  const resources = isObject(rootModule) && Array.isArray(rootModule.resources) ? rootModule.resources : [];
  for (const resource of resources) {
    if (isObject(resource) && typeof resource.address === 'string') {
      expressions.set(resource.address, resource.expressions);
    }
  }
  return expressions;
}

/**
 * The resources a plan (`terraform show -json <planfile>`) leaves in place or creates: each change's
 * `after` values. Resources the plan deletes are not part of the deployment any more and are skipped.
 */
export function resourcesFromPlan(planJson: unknown): ResourceView[] {
  if (!isObject(planJson))
    throw new Error('plan JSON: expected the object printed by `terraform show -json`');
  const changes = planJson.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new Error('plan JSON: "resource_changes" must be a list');
  const expressions = configurationExpressions(planJson);
  return changes.flatMap((entry, index): ResourceView[] => {
    if (!isObject(entry) || typeof entry.address !== 'string' || typeof entry.type !== 'string') {
      throw new Error(`plan JSON: resource_changes[${index}] lacks a string "address" and "type"`);
    }
    const change = entry.change;
    if (!isObject(change) || !Array.isArray(change.actions)) {
      throw new Error(`plan JSON: resource_changes[${index}] (${entry.address}) lacks "change.actions"`);
    }
    if (change.actions.length === 1 && change.actions[0] === 'delete') return [];
    if (!isObject(change.after) && !isObject(change.after_unknown)) return [];
    const values = withReferences(change.after, change.after_unknown ?? {}, expressions.get(entry.address));
    return [{ address: entry.address, type: entry.type, values: isObject(values) ? values : {} }];
  });
}
