/** One place that states a port or a probe path, e.g. "compose.yaml services.lake-service.ports[0]". */
export interface Fact<T> {
  place: string;
  value: T | undefined;
}

/** Each fact that disagrees with the first, as a message naming both places. */
export function mismatches<T>(what: string, facts: Fact<T>[]): string[] {
  const [reference, ...others] = facts;
  if (!reference) return [];
  return others
    .filter((fact) => fact.value !== reference.value)
    .map(
      (fact) =>
        `${what}: ${fact.place} says ${String(fact.value)} but ${reference.place} says ${String(reference.value)}`,
    );
}
