/** The variables a text asks Flux's post-build substitution for: `${NAME}` and `${NAME:=default}`. */
export function substitutedVariables(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-][^}]*)?\}/g)].map((match) => match[1]!),
  );
}

/** `${NAME}`, as written in the manifests for Flux to fill in. */
export function placeholder(name: string): string {
  return `\${${name}}`;
}
