import { type EntraCredential, type EntraToken, renewalDelay } from '../../entra/token.js';
import { messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface Renewal {
  stop(): void;
}

/**
 * Keeps the service signed in to its PostgreSQL catalog: before each token expires, fetches a new one and hands
 * it to `use`. A failed renewal is logged and retried while the current token still works.
 */
export function renewBeforeExpiry(options: {
  credential: EntraCredential;
  current: EntraToken;
  use: (token: EntraToken) => Promise<void>;
  log: Logger;
}): Renewal {
  const { credential, use, log } = options;
  let current = options.current;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => void renew(), delay);
    // Renewal alone must not keep a finished command alive.
    timer.unref();
  };
  const renew = async () => {
    try {
      const next = await credential.token();
      if (stopped) return;
      await use(next);
      current = next;
      log.debug({ expiresAt: next.expiresAt.toISOString() }, 'catalog sign-in renewed');
      schedule(renewalDelay(current, Date.now()));
    } catch (error) {
      const remaining = current.expiresAt.getTime() - Date.now();
      log.error(
        { err: error, credential: credential.description, expiresInSeconds: Math.round(remaining / 1000) },
        `renewing the catalog sign-in failed: ${messageOf(error)}`,
      );
      schedule(Math.max(1000, Math.min(30_000, remaining / 4)));
    }
  };
  schedule(renewalDelay(current, Date.now()));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
