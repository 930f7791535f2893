import type { PlanIdentity } from '../plan/PlanIdentity.js';
import type { ClassifiedChange, PlanSummary } from '../plan/PlanSummary.js';
import type { Finding } from '../policy.js';
import { escapeCell, type PlanStatus, renderStatus } from './PlanStatus.js';

/** GitHub rejects issue comments longer than this. */
export const COMMENT_LIMIT = 65_536;
/** GitHub aborts a step summary larger than 1 MiB; keep room for other steps' summaries. */
export const SUMMARY_LIMIT = 900_000;

export interface StackPlan {
  stack: string;
  summary: PlanSummary;
  findings: readonly Finding[];
  identity: PlanIdentity;
  /** `terraform show` text of the plan, already masked. */
  planText: string;
  runUrl: string;
  artifactName: string;
}

/** The hidden first line that finds a stack's comment again on the next push. */
export function commentMarker(stack: string): string {
  return `<!-- odp:infra-plan stack=${stack} -->`;
}

const FINGERPRINT = /^\*\*Fingerprint:\*\* `(sha256:[0-9a-f]{64})`/m;

/** The fingerprint a rendered plan comment shows reviewers, or null when it shows none. */
export function fingerprintIn(body: string): string | null {
  return FINGERPRINT.exec(body)?.[1] ?? null;
}

/**
 * Renders one stack's plan for a PR comment (or, with a larger limit, the job summary): summary line,
 * policy findings, destroys and replacements first, then every change grouped by kind, drift, and the plan
 * text last, cut to fit `limit` UTF-8 bytes (never fewer characters than GitHub counts).
 */
export function renderPlanComment(plan: StackPlan, status: PlanStatus, limit = COMMENT_LIMIT): string {
  const head = [
    commentMarker(plan.stack),
    `### Infrastructure plan: \`${plan.stack}\``,
    '',
    renderStatus(status),
    '',
    `**Plan:** ${countsLine(plan.summary)}`,
    `**Fingerprint:** \`${plan.identity.fingerprint}\`${stateNote(plan.identity)}`,
    '',
    ...findingsSection(plan.findings),
    ...destructiveSection(plan.summary.changes),
  ];
  const tail = [...groupSections(plan.summary.changes), ...driftSection(plan.summary.drift)];
  const compactTail = compactGroups(plan);
  for (const body of [tail, compactTail]) {
    const withoutPlan = `${[...head, ...body].join('\n')}\n`;
    const room = limit - bytes(withoutPlan);
    const planSection = fullPlanSection(plan, room);
    if (planSection !== null) return withoutPlan + planSection;
  }
  throw new Error(`the plan for stack ${plan.stack} has too many changes to summarize in ${limit} bytes`);
}

function countsLine({ counts, hasChanges }: PlanSummary): string {
  if (!hasChanges) return 'no changes. The infrastructure matches the configuration.';
  return [
    `${counts.add} to add`,
    `${counts.change} to change`,
    `${counts.destroy} to destroy`,
    `${counts.replace} to replace`,
    `${counts.move} to move`,
    `${counts.import} to import`,
  ].join(', ');
}

function stateNote(identity: PlanIdentity): string {
  return identity.state ? ` (state serial ${identity.state.serial})` : ' (no state yet)';
}

function findingsSection(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return [
    '> [!CAUTION]',
    `> **${findings.length} policy ${findings.length === 1 ? 'finding' : 'findings'}**: this plan breaks the infrastructure policy.`,
    ...findings.map((f) => `> - \`${f.rule}\` on \`${f.address}\`: ${f.message}`),
    '',
  ];
}

function destructiveSection(changes: readonly ClassifiedChange[]): string[] {
  const destructive = changes.filter((c) => c.kind === 'delete' || c.kind === 'replace');
  if (destructive.length === 0) return [];
  return [
    '> [!WARNING]',
    `> **${destructive.length} ${destructive.length === 1 ? 'resource' : 'resources'} will be destroyed or replaced.**`,
    '',
    '| Resource | Action | Why |',
    '|---|---|---|',
    ...destructive.map(
      (c) =>
        `| \`${escapeCell(c.address)}\` | ${c.kind === 'delete' ? 'destroy' : 'replace'} | ${escapeCell(reasonText(c))} |`,
    ),
    '',
  ];
}

const REASONS: Record<string, string> = {
  replace_because_tainted: 'the object is tainted',
  replace_because_cannot_update: 'an attribute cannot be changed in place',
  replace_by_request: 'replacement was requested (`-replace`)',
  replace_by_triggers: 'a `replace_triggered_by` reference changed',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'it switched between `count` and `for_each`',
  delete_because_count_index: 'its `count` index is out of range',
  delete_because_each_key: 'its `for_each` key is gone',
  delete_because_no_move_target: 'its `moved` target does not exist',
};

function reasonText(change: ClassifiedChange): string {
  const reason = change.reason ? (REASONS[change.reason] ?? change.reason) : 'no reason given by Terraform';
  const paths =
    change.replacePaths.length > 0 ? ` (${change.replacePaths.map((p) => `\`${p}\``).join(', ')})` : '';
  return reason + paths;
}

const GROUPS: ReadonlyArray<{ title: string; pick: (c: ClassifiedChange) => boolean }> = [
  { title: 'Destroy', pick: (c) => c.kind === 'delete' || c.kind === 'forget' },
  { title: 'Replace', pick: (c) => c.kind === 'replace' },
  { title: 'Create', pick: (c) => c.kind === 'create' },
  { title: 'Update in place', pick: (c) => c.kind === 'update' },
  { title: 'Move', pick: (c) => c.movedFrom !== undefined },
  { title: 'Import', pick: (c) => c.importing },
];

function groupSections(changes: readonly ClassifiedChange[]): string[] {
  return GROUPS.flatMap(({ title, pick }) => {
    const picked = changes.filter(pick);
    if (picked.length === 0) return [];
    return details(`${title} (${picked.length})`, picked.map(changeLine));
  });
}

function changeLine(change: ClassifiedChange): string {
  const moved = change.movedFrom ? ` (from \`${change.movedFrom}\`)` : '';
  const attributes =
    change.attributes.length > 0 ? `: ${change.attributes.map((a) => `\`${a}\``).join(', ')}` : '';
  return `- \`${change.address}\`${moved}${attributes}`;
}

function driftSection(drift: readonly ClassifiedChange[]): string[] {
  if (drift.length === 0) return [];
  return details(
    `Changed outside Terraform (${drift.length})`,
    drift.map((c) => `- \`${c.address}\` (${c.kind === 'delete' ? 'deleted' : 'modified'})${attrs(c)}`),
  );
}

function attrs(change: ClassifiedChange): string {
  return change.attributes.length > 0 ? `: ${change.attributes.map((a) => `\`${a}\``).join(', ')}` : '';
}

/** When the resource lists alone would not fit: counts per group, the lists are in the job summary. */
function compactGroups(plan: StackPlan): string[] {
  const counts = GROUPS.map(({ title, pick }) => `${title}: ${plan.summary.changes.filter(pick).length}`);
  return [
    `Resource lists are in the [job summary](${plan.runUrl}) (too many to show here). ${counts.join(' · ')}`,
    '',
  ];
}

function details(summary: string, lines: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...lines, '', '</details>', ''];
}

/** The plan text in a collapsed block, cut at a line boundary to fit `room` bytes; null if nothing fits. */
function fullPlanSection(plan: StackPlan, room: number): string | null {
  const planText = plan.planText.replace(/^\n+/, '').trimEnd();
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(planText) + 1));
  const wrap = (text: string, note: string) =>
    `<details>\n<summary>Full plan</summary>\n\n${fence}text\n${text}\n${fence}\n${note}</details>\n`;
  const whole = wrap(planText, '');
  if (bytes(whole) <= room) return whole;
  const lines = planText.split('\n');
  const note = (kept: number) =>
    `\n_Plan text cut after ${kept} of ${lines.length} lines to fit GitHub's comment limit. ` +
    `The full plan is in the [job summary](${plan.runUrl}) and in the artifact \`${plan.artifactName}\`._\n`;
  const overhead = bytes(wrap('', note(lines.length)));
  let budget = room - overhead;
  if (budget < 0) return null;
  let kept = 0;
  for (const line of lines) {
    const size = bytes(line) + 1;
    if (size > budget) break;
    budget -= size;
    kept++;
  }
  return wrap(lines.slice(0, kept).join('\n'), note(kept));
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
