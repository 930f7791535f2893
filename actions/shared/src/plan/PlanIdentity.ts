import { createHash } from 'node:crypto';
import { changeKind } from './ChangeKind.js';
import { canonicalJson } from './canonicalJson.js';
import type { PlanJson } from './PlanJson.js';

/** The state a plan was made against (noted in the comment); `serial` moves on every state write. */
export interface StateVersion {
  serial: number;
  lineage: string;
}

/**
 * What a reviewer approves. The fingerprint covers the resource changes (canonical JSON, not the plan text,
 * so log noise never changes it), the synthesized configuration and the provider lock file. The state version
 * is kept beside it: a state that moved but yields the same changes keeps the fingerprint.
 */
export interface PlanIdentity {
  stack: string;
  fingerprint: string;
  configHash: string;
  lockHash: string;
  state: StateVersion | null;
  /** Per-resource digest of the planned change, to explain a fingerprint mismatch resource by resource. */
  resources: Record<string, { kind: string; digest: string }>;
}

export interface IdentityInputs {
  stack: string;
  plan: PlanJson;
  configHash: string;
  lockHash: string;
  state: StateVersion | null;
}

export function planIdentity({ stack, plan, configHash, lockHash, state }: IdentityInputs): PlanIdentity {
  const resources: PlanIdentity['resources'] = {};
  for (const rc of plan.resource_changes) {
    const kind = changeKind(rc);
    if (kind === 'no-op' && rc.previous_address === undefined && rc.change.importing === undefined) continue;
    // Every field of the planned change counts (canonical JSON: key order never matters).
    const change = { ...rc.change, previous_address: rc.previous_address, action_reason: rc.action_reason };
    resources[rc.address] = { kind, digest: sha256(canonicalJson(change)) };
  }
  const fingerprint = sha256(
    canonicalJson({ version: 1, stack, configHash, lockHash, outputs: plan.output_changes ?? {}, resources }),
  );
  return { stack, fingerprint, configHash, lockHash, state, resources };
}

export interface ResourceDifference {
  address: string;
  reviewed: string | null;
  now: string | null;
}

/** Resources whose planned change differs between the reviewed plan and a new plan, by address. */
export function identityDifferences(reviewed: PlanIdentity, now: PlanIdentity): ResourceDifference[] {
  const addresses = [...new Set([...Object.keys(reviewed.resources), ...Object.keys(now.resources)])].sort();
  return addresses.flatMap((address) => {
    const before = reviewed.resources[address];
    const after = now.resources[address];
    if (before?.digest === after?.digest) return [];
    return [{ address, reviewed: before?.kind ?? null, now: after?.kind ?? null }];
  });
}

export function sha256(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
