import { stringify } from 'yaml';
import type { KubernetesObject } from './kustomize.js';

/** Flux leaves objects with this annotation set to `disabled` as they are. */
export const SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';

/** The variables a text asks Flux's post-build substitution for: `${NAME}` and `${NAME:=default}`. */
export function substitutedVariables(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-][^}]*)?\}/g)].map((match) => match[1]!),
  );
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
