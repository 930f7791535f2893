import type { ResourceView } from './ResourceView.js';

const interpolation = /\$\{([^}]*)\}/g;
const address = /^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+/;

/** Addresses of the resources a value interpolates, e.g. `${azurerm_subnet.pe.id}` → `azurerm_subnet.pe`. */
export function referencedAddresses(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const found: string[] = [];
  for (const [, expression] of value.matchAll(interpolation)) {
    const match = expression?.trim().match(address);
    if (match) found.push(match[0]);
  }
  return found;
}

/** Whether `value` points at `target`, by interpolation (synthesized JSON) or by its known id (plans). */
export function pointsAt(value: unknown, target: ResourceView): boolean {
  if (typeof value !== 'string') return false;
  if (referencedAddresses(value).includes(target.address)) return true;
  const id = target.values.id;
  return typeof id === 'string' && id !== '' && value.toLowerCase() === id.toLowerCase();
}

/** The resource `value` points at, if it is in `resources`. */
export function resolve(value: unknown, resources: readonly ResourceView[]): ResourceView | undefined {
  return resources.find((resource) => pointsAt(value, resource));
}

/** A nested block's first element: Terraform JSON writes blocks as objects or one-element lists. */
export function block(value: unknown): Record<string, unknown> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}

/** Every element of a repeated block. */
export function blocks(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object');
}

export function ofType(resources: readonly ResourceView[], type: string): ResourceView[] {
  return resources.filter((resource) => resource.type === type && !resource.address.startsWith('data.'));
}
