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

/** Parses `ODP_*` variables with `schema`; every bad value is named, one line each, with what is expected. */
export function readEnv<T extends z.ZodObject>(schema: T, env: NodeJS.ProcessEnv, what: string): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new OdpError('config-invalid', `invalid ${what} configuration:\n${problems.join('\n')}`);
}

export function loadAccessSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): AccessSettings {
  const e = readEnv(AccessEnv, env, 'access');
  return {
    keysFile: path.resolve(e.ODP_API_KEYS_FILE ?? path.join(dataDir, 'api-keys.json')),
    limits: {
      read: { perSecond: e.ODP_RATE_LIMIT_READ_PER_SECOND, burst: e.ODP_RATE_LIMIT_READ_BURST },
      admin: { perSecond: e.ODP_RATE_LIMIT_ADMIN_PER_SECOND, burst: e.ODP_RATE_LIMIT_ADMIN_BURST },
    },
  };
}
