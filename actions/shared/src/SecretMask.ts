import type { PlanJson } from './plan/PlanJson.js';

const MASK = '***';

/** Secrets that have a recognisable shape, masked even when Terraform does not know they are sensitive. */
const BUILT_IN_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(AccountKey|SharedAccessKey|Password|pwd)=[^;"'\s]+/gi,
  /\bsig=[A-Za-z0-9%/+=]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\b[A-Za-z0-9+/]{86}==/g,
];

/** Values shorter than this are not masked by value: masking "v1" or "true" everywhere would garble the plan. */
const MIN_SECRET_LENGTH = 4;

/**
 * Removes secrets from text bound for a PR comment or job summary. GitHub masks registered secrets in logs but
 * not in comments, so every value Terraform marks sensitive is masked by value wherever it appears (a
 * non-sensitive attribute can echo it), and so is anything matching a built-in or configured pattern.
 */
export class SecretMask {
  private constructor(
    private readonly values: readonly string[],
    private readonly patterns: readonly RegExp[],
  ) {}

  /** `patterns` are the action's `secret-patterns` input lines; a bad one is reported with its line number. */
  static create(plans: readonly PlanJson[], patterns: readonly string[]): SecretMask {
    const compiled = patterns.map((source, index) => {
      try {
        return new RegExp(source, 'g');
      } catch (error) {
        throw new Error(
          `secret-patterns line ${index + 1} is not a valid regular expression (${source}): ${String(error)}`,
        );
      }
    });
    const values = new Set<string>();
    for (const plan of plans) collectSensitiveValues(plan, values);
    // Longest first, so a secret containing another secret is masked whole.
    const sorted = [...values]
      .filter((v) => v.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
    return new SecretMask(sorted, [...BUILT_IN_PATTERNS, ...compiled]);
  }

  /** The sensitive values themselves, for registering with the runner's log masking. */
  get secrets(): readonly string[] {
    return this.values;
  }

  apply(text: string): string {
    let masked = text;
    for (const value of this.values) {
      masked = masked.split(value).join(MASK);
      const quoted = JSON.stringify(value).slice(1, -1);
      if (quoted !== value) masked = masked.split(quoted).join(MASK);
    }
    for (const pattern of this.patterns) masked = masked.replace(pattern, MASK);
    return masked;
  }
}

function collectSensitiveValues(plan: PlanJson, into: Set<string>): void {
  for (const rc of [...plan.resource_changes, ...plan.resource_drift]) {
    collectMarked(rc.change.before, rc.change.before_sensitive, into);
    collectMarked(rc.change.after, rc.change.after_sensitive, into);
  }
  for (const output of Object.values(plan.output_changes ?? {})) {
    collectMarked(output.before, output.before_sensitive, into);
    collectMarked(output.after, output.after_sensitive, into);
  }
  for (const [name, variable] of Object.entries(plan.variables ?? {})) {
    if (isSensitiveVariable(plan.configuration, name)) collectMarked(variable.value, true, into);
  }
}

function collectMarked(value: unknown, marker: unknown, into: Set<string>): void {
  if (marker === true) {
    collectLeaves(value, into);
    return;
  }
  if (Array.isArray(marker) && Array.isArray(value)) {
    for (const [i, m] of marker.entries()) collectMarked(value[i], m, into);
  } else if (isRecord(marker) && isRecord(value)) {
    for (const [key, m] of Object.entries(marker)) collectMarked(value[key], m, into);
  }
}

function collectLeaves(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (typeof value === 'number') into.add(String(value));
  else if (Array.isArray(value)) for (const v of value) collectLeaves(v, into);
  else if (isRecord(value)) for (const v of Object.values(value)) collectLeaves(v, into);
}

function isSensitiveVariable(configuration: unknown, name: string): boolean {
  if (!isRecord(configuration) || !isRecord(configuration.root_module)) return false;
  const variables = configuration.root_module.variables;
  if (!isRecord(variables)) return false;
  const variable = variables[name];
  return isRecord(variable) && variable.sensitive === true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
