import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test: string[] | string; interval?: string; start_period?: string };
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  volumes?: string[];
  read_only?: boolean;
  network_mode?: string;
  user?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Reads a compose file as Compose does: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
export async function readCompose(file: string): Promise<ComposeFile> {
  return parse(await readFile(file, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and
 * `$$`, against the variables of `.env` and the shell (`variables`).
 */
export function interpolate(value: string, variables: Record<string, string | undefined>): string {
  return value.replace(
    /\$(?:\$|(\w+)|\{(\w+)(?:(:?)([-?])([^}]*))?\})/g,
    (whole, bare?: string, name?: string, colon?: string, operator?: string, operand?: string) => {
      if (whole === '$$') return '$';
      const variable = (bare ?? name)!;
      const current = variables[variable];
      const missing = current === undefined || (colon === ':' && current === '');
      if (!missing) return current;
      if (operator === '?') throw new Error(`${variable} is required: ${operand}`);
      return operator === '-' ? interpolate(operand ?? '', variables) : '';
    },
  );
}

/**
 * The environment Compose gives a service's container: each entry interpolated; an entry without a value is
 * taken from `variables`, and left out when it is not set there.
 */
export function serviceEnvironment(
  service: ComposeService,
  variables: Record<string, string | undefined>,
): Record<string, string> {
  const entries: [string, string | null][] = Array.isArray(service.environment)
    ? service.environment.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([key, value]) => [
        key,
        value === null ? null : String(value),
      ]);
  const environment: Record<string, string> = {};
  for (const [key, value] of entries) {
    const resolved = value === null ? variables[key] : interpolate(value, variables);
    if (resolved !== undefined) environment[key] = resolved;
  }
  return environment;
}
