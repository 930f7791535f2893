import type { ResourceChange } from './PlanJson.js';

/** What a resource change does, as a reviewer reads it; a replacement is one kind, not a create plus a delete. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'forget' | 'no-op';

export function changeKind(change: ResourceChange): ChangeKind {
  const actions = change.change.actions;
  if (actions.includes('create') && actions.includes('delete')) return 'replace';
  const [only] = actions;
  return only ?? 'no-op';
}
