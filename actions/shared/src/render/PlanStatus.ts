import type { ResourceDifference } from '../plan/PlanIdentity.js';

/** Where a stack's plan stands; the comment's status line shows it and infra-apply moves it on. */
export type PlanStatus =
  | { kind: 'planned' }
  | { kind: 'drifted'; runUrl: string }
  | { kind: 'unaffected'; runUrl: string }
  | { kind: 'applied'; runUrl: string; via: 'reviewed-plan' | 'same-fingerprint-replan' }
  | { kind: 'refused'; runUrl: string; reason: string; differences: readonly ResourceDifference[] }
  | { kind: 'apply-failed'; runUrl: string; message: string };

const OPEN = '<!-- odp:status -->';
const CLOSE = '<!-- /odp:status -->';
const MAX_DIFFERENCE_ROWS = 50;

export function renderStatus(status: PlanStatus): string {
  return `${OPEN}\n${statusText(status)}\n${CLOSE}`;
}

/** Moves an existing comment's status on without touching the reviewed plan below it. */
export function replaceStatus(body: string, status: PlanStatus): string {
  const start = body.indexOf(OPEN);
  const end = body.indexOf(CLOSE);
  if (start < 0 || end < start) throw new Error('the plan comment has no status block to update');
  return `${body.slice(0, start)}${renderStatus(status)}${body.slice(end + CLOSE.length)}`;
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
      return `**Status:** ✅ applied in [this run](${status.runUrl}) ${
        status.via === 'reviewed-plan'
          ? '(the reviewed plan file).'
          : '(state had moved; a new plan had the same fingerprint).'
      }`;
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
