import type { ResourceDifference } from '../plan/PlanIdentity.js';

/** Where a stack's plan stands; the comment's status line shows it and infra-apply moves it on. */
export type PlanStatus =
  | { kind: 'planned' }
  | { kind: 'drifted'; runUrl: string }
  | { kind: 'unaffected'; runUrl: string }
  | { kind: 'applied'; runUrl: string }
  | { kind: 'refused'; runUrl: string; reason: string; differences: readonly ResourceDifference[] }
  | { kind: 'apply-failed'; runUrl: string; message: string };

// The opening marker names the status kind, so infra-apply can tell a stack the PR stopped changing.
const OPEN = /<!-- odp:status(?: kind=([a-z-]+))? -->/;
const CLOSE = '<!-- /odp:status -->';
const MAX_DIFFERENCE_ROWS = 50;

export function renderStatus(status: PlanStatus): string {
  return `<!-- odp:status kind=${status.kind} -->\n${statusText(status)}\n${CLOSE}`;
}

/** Moves an existing comment's status on without touching the reviewed plan below it. */
export function replaceStatus(body: string, status: PlanStatus): string {
  const open = OPEN.exec(body);
  const end = body.indexOf(CLOSE);
  if (!open || end < open.index) throw new Error('the plan comment has no status block to update');
  return `${body.slice(0, open.index)}${renderStatus(status)}${body.slice(end + CLOSE.length)}`;
}

/** The kind of status a comment shows, or null when it has no status block. */
export function statusKind(body: string): PlanStatus['kind'] | null {
  const open = OPEN.exec(body);
  if (!open) return null;
  return (open[1] as PlanStatus['kind'] | undefined) ?? 'planned';
}

function statusText(status: PlanStatus): string {
  switch (status.kind) {
    case 'planned':
      return '**Status:** 🟡 planned, not applied yet: merging applies exactly this plan after approval.';
    case 'drifted':
      return `**Status:** 🔶 the live infrastructure differs from the main branch ([run](${status.runUrl})): applying the main branch would make these changes.`;
    case 'unaffected':
      return `**Status:** ⚪ the PR no longer changes this stack (as of [this run](${status.runUrl})): nothing will be applied for it.`;
    case 'applied':
      return `**Status:** ✅ applied in [this run](${status.runUrl}): its own plan of the merged commit had the reviewed fingerprint.`;
    case 'apply-failed':
      return `**Status:** ❌ apply failed in [this run](${status.runUrl}): ${status.message}`;
    case 'refused': {
      const rows = status.differences
        .slice(0, MAX_DIFFERENCE_ROWS)
        .map((d) => `| \`${escapeCell(d.address)}\` | ${d.reviewed ?? '(none)'} | ${d.now ?? '(none)'} |`);
      const more =
        status.differences.length > MAX_DIFFERENCE_ROWS
          ? [`\n…and ${status.differences.length - MAX_DIFFERENCE_ROWS} more resources.`]
          : [];
      const table =
        rows.length > 0 ? ['', '| Resource | Reviewed | Now |', '|---|---|---|', ...rows, ...more] : [];
      return [
        `**Status:** ⛔ not applied in [this run](${status.runUrl}): ${status.reason}`,
        ...table,
        '',
        'Nothing was changed. Open a new PR (or re-run the plan) so the new plan gets reviewed.',
      ].join('\n');
    }
  }
}

export function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
