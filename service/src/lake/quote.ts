/** SQL text building for values ODP itself controls (declared names, paths). User input is always bound. */

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function list(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}
