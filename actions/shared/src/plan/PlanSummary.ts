import { type ChangeKind, changeKind } from './ChangeKind.js';
import type { PlanJson, ResourceChange } from './PlanJson.js';

/** Counts shown on the summary line and set as action outputs. A replacement counts once, as `replace`. */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  move: number;
  import: number;
}

export interface ClassifiedChange {
  kind: ChangeKind;
  address: string;
  /** Where the resource was before a `moved` block, when it moved. */
  movedFrom?: string;
  importing: boolean;
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  reason?: string;
  /** Top-level attributes whose value changes (names only: values may be secret). */
  attributes: string[];
  /** Attributes that force a replacement. */
  replacePaths: string[];
}

export interface PlanSummary {
  counts: PlanCounts;
  changes: ClassifiedChange[];
  /** Resources changed outside Terraform since the last apply. */
  drift: ClassifiedChange[];
  hasChanges: boolean;
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  const changes = plan.resource_changes
    .filter((rc) => rc.mode === 'managed')
    .map(classify)
    .filter((c) => c.kind !== 'no-op' || c.movedFrom !== undefined || c.importing);
  const drift = plan.resource_drift.map(classify);
  const count = (kind: ChangeKind) => changes.filter((c) => c.kind === kind).length;
  const counts: PlanCounts = {
    add: count('create'),
    change: count('update'),
    destroy: count('delete') + count('forget'),
    replace: count('replace'),
    move: changes.filter((c) => c.movedFrom !== undefined).length,
    import: changes.filter((c) => c.importing).length,
  };
  const outputsChange = Object.values(plan.output_changes ?? {}).some(
    (o) => JSON.stringify(o.before) !== JSON.stringify(o.after),
  );
  return { counts, changes, drift, hasChanges: changes.length > 0 || outputsChange };
}

function classify(rc: ResourceChange): ClassifiedChange {
  const classified: ClassifiedChange = {
    kind: changeKind(rc),
    address: rc.address,
    importing: rc.change.importing !== undefined,
    attributes: changedAttributes(rc.change.before, rc.change.after, rc.change.after_unknown),
    replacePaths: (rc.change.replace_paths ?? []).map((p) => p.join('.')),
  };
  if (rc.previous_address !== undefined) classified.movedFrom = rc.previous_address;
  if (rc.action_reason !== undefined) classified.reason = rc.action_reason;
  return classified;
}

function changedAttributes(before: unknown, after: unknown, afterUnknown: unknown): string[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const unknown = isRecord(afterUnknown) ? afterUnknown : {};
  if (!isRecord(before) || !isRecord(after)) return [];
  const names = new Set([...Object.keys(b), ...Object.keys(a)]);
  return [...names]
    .filter((name) => unknown[name] === true || JSON.stringify(b[name]) !== JSON.stringify(a[name]))
    .filter((name) => !(unknown[name] === true && b[name] === undefined))
    .sort();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
