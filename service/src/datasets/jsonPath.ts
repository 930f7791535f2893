/**
 * A JSON path as a dataset declares it, in standard JSONPath (`$.a.b`, `$['a b']`, `$["a b"]`, `$.a[0]`,
 * `$.items[*]`) or DuckDB's own quoting (`$."a b"`), as the path DuckDB's JSON functions take. Throws with the
 * reason when the path is not one of these forms.
 */
export function duckdbJsonPath(path: string): string {
  if (!path.startsWith('$')) throw new Error(`${path} is not a JSON path: it must start with $`);
  let out = '$';
  let rest = path.slice(1);
  const key = (name: string) => {
    if (name.includes('"')) throw new Error(`${path}: a key may not contain a double quote`);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `."${name}"`;
  };
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
    out += whole.startsWith('[') && /^(\*|\d+)$/.test(part) ? `[${part}]` : key(part.replace(/\\(.)/g, '$1'));
    rest = rest.slice(whole.length);
  }
  return out;
}
