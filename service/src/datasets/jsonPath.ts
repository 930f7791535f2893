/** One step of a JSON path: an object key, an array index, or every item of an array. */
export type JsonPathStep = { key: string } | { index: number } | { all: true };

/**
 * A JSON path as a dataset declares it, in standard JSONPath (`$.a.b`, `$['a b']`, `$["a b"]`, `$.a[0]`,
 * `$.items[*]`) or DuckDB's own quoting (`$."a b"`), as its steps. Throws with the reason when the path is not one
 * of these forms.
 */
export function jsonPathSteps(path: string): JsonPathStep[] {
  if (!path.startsWith('$')) throw new Error(`${path} is not a JSON path: it must start with $`);
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const step =
      /^\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(rest) ??
      /^\."([^"]*)"/.exec(rest) ??
      /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest) ??
      /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest) ??
      /^\[(\*|\d+)\]/.exec(rest);
    if (!step) {
      throw new Error(
        `${path}: cannot read "${rest}"; write keys as .name, ['name with spaces'] or ["name"], and array items as [0] or [*]`,
      );
    }
    const [whole, part = ''] = step;
    if (whole.startsWith('[') && part === '*') steps.push({ all: true });
    else if (whole.startsWith('[') && /^\d+$/.test(part)) steps.push({ index: Number(part) });
    else {
      const name = part.replace(/\\(.)/g, '$1');
      if (name.includes('"')) throw new Error(`${path}: a key may not contain a double quote`);
      steps.push({ key: name });
    }
    rest = rest.slice(whole.length);
  }
  return steps;
}

/** The path DuckDB's JSON functions take for a declared JSON path (see `jsonPathSteps`). */
export function duckdbJsonPath(path: string): string {
  return jsonPathSteps(path)
    .map((step) => {
      if ('all' in step) return '[*]';
      if ('index' in step) return `[${step.index}]`;
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(step.key) ? `.${step.key}` : `."${step.key}"`;
    })
    .reduce((out, step) => out + step, '$');
}
