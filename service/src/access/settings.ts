import path from 'node:path';
import { z } from 'zod';
import { OdpError } from '../errors.js';
import type { Scope } from './scopes.js';

/** A token bucket: `perSecond` tokens flow in, at most `burst` are held; a request spends one. */
export interface BucketLimits {
  perSecond: number;
  burst: number;
}

export interface AccessSettings {
  /** The hashed API keys, shared by `odp keys` and `odp serve`. */
  keysFile: string;
  limits: Record<Scope, BucketLimits>;
}

const rate = z.coerce.number().positive().max(1_000_000);

const AccessEnv = z.object({
  ODP_API_KEYS_FILE: z.string().min(1).optional(),
  ODP_RATE_LIMIT_READ_PER_SECOND: rate.default(20),
  ODP_RATE_LIMIT_READ_BURST: rate.default(40),
  ODP_RATE_LIMIT_ADMIN_PER_SECOND: rate.default(100),
  ODP_RATE_LIMIT_ADMIN_BURST: rate.default(200),
});

/** Reads the `ODP_*` access settings; each bad value is named with what is expected. */
export function loadAccessSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): AccessSettings {
  const parsed = AccessEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new OdpError('config-invalid', `invalid access configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    keysFile: path.resolve(e.ODP_API_KEYS_FILE ?? path.join(dataDir, 'api-keys.json')),
    limits: {
      read: { perSecond: e.ODP_RATE_LIMIT_READ_PER_SECOND, burst: e.ODP_RATE_LIMIT_READ_BURST },
      admin: { perSecond: e.ODP_RATE_LIMIT_ADMIN_PER_SECOND, burst: e.ODP_RATE_LIMIT_ADMIN_BURST },
    },
  };
}
