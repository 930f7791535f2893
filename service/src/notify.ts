import { messageOf } from './errors.js';
import type { Run } from './journal/run.js';
import type { Logger } from './log.js';

/** The Slack-compatible message for a run that quarantined records. */
export function quarantineMessage(run: Run): { text: string } {
  const reasons = run.top_reasons.map((r) => `${r.code} (${r.count})`).join(', ');
  return {
    text: `ODP: ${run.quarantined} of ${run.received} ${run.dataset} records quarantined in run ${run.run_id}. Top reasons: ${reasons}. See \`odp quarantine list ${run.dataset}\`.`,
  };
}

/** Posts the message to a webhook; a failing webhook is logged and never fails the run. */
export async function notifyQuarantine(url: string, run: Run, log: Logger): Promise<void> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(quarantineMessage(run)),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      log.warn({ status: response.status, runId: run.run_id }, 'quarantine webhook refused the notification');
  } catch (error) {
    log.warn({ err: messageOf(error), runId: run.run_id }, 'quarantine webhook unreachable');
  }
}
