/** What an API key may do: `read` reads datasets, runs and quarantine; `admin` may do everything `read` may. */
export const SCOPES = ['read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether a key with scope `held` may call a route that needs `needed`. */
export function grants(held: Scope, needed: Scope): boolean {
  return held === 'admin' || needed === 'read';
}
