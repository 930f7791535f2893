import { stringify } from 'yaml';
import type { KubernetesObject } from './kustomize.js';

/** Flux leaves objects with this annotation set to `disabled` as they are. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

/** `${NAME}`, or `${NAME` then `=`, `-`, `:=` or `:-` and a default, then `}`. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)[=-]([^}]*))?\}/g;

/** The variables a text asks Flux's post-build substitution for: `${NAME}` and `${NAME:=default}`. */
export function substitutedVariables(text: string): Set<string> {
  return new Set([...text.matchAll(VARIABLE)].map((match) => match[1]!));
}

/**
 * The text as Flux substitutes it: a variable's value, else its default (which, after `:`, also replaces an
 * empty value). A variable with neither becomes `<NAME not set>`, so a check sees what is missing.
 */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(VARIABLE, (_, name: string, colon?: string, fallback?: string) => {
    const value = values[name];
    if (fallback !== undefined && (value === undefined || (colon && value === ''))) return fallback;
    return value ?? `<${name} not set>`;
  });
}

/** The variables Flux substitutes in these objects, leaving out the objects that opt out. */
export function substitutedVariablesOf(objects: KubernetesObject[]): Set<string> {
  const substituted = objects.filter(
    (object) => object.metadata.annotations?.[SUBSTITUTE_ANNOTATION] !== 'disabled',
  );
  return substitutedVariables(substituted.map((object) => stringify(object)).join('---\n'));
}

/** `${NAME}`, as written in the manifests for Flux to fill in. */
export function placeholder(name: string): string {
  return `\${${name}}`;
}
