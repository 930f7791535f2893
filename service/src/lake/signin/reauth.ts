import { messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CatalogCredential, CatalogToken } from './credential.js';

const MINUTE = 60_000;

/**
 * When to sign in again: halfway through the token's remaining life, and no later than five minutes before it
 * expires (Entra ID tokens live 60-90 minutes). A credential that hands back the same cached token is asked again
 * after half of what remains, never more often than once a second.
 */
export function renewalDelay(token: CatalogToken, now: number): number {
  const remaining = token.expiresAt.getTime() - now;
  return Math.max(1000, remaining - Math.min(5 * MINUTE, remaining / 2));
}

export interface Renewal {
  stop(): void;
}

/**
 * Keeps the service signed in to its PostgreSQL catalog: before each token expires, fetches a new one and hands
 * it to `use`. A failed renewal is logged and retried while the current token still works.
 */
export function renewBeforeExpiry(options: {
  credential: CatalogCredential;
  current: CatalogToken;
  use: (token: CatalogToken) => Promise<void>;
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
