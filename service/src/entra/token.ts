import { DefaultAzureCredential } from '@azure/identity';

/** A short-lived secret (a Microsoft Entra ID access token) that signs the service in, and when it stops working. */
export interface EntraToken {
  secret: string;
  expiresAt: Date;
}

/** Where tokens for one audience come from. The service asks again before each one expires. */
export interface EntraCredential {
  token(): Promise<EntraToken>;
  /** For logs: what kind of credential this is, never the secret. */
  readonly description: string;
}

/** Tokens for `scope` from the credential an audience's configuration names; tests hand in a stand-in. */
export type CredentialFor = (scope: string) => EntraCredential;

/**
 * The managed identity's access tokens for `scope` (workload identity in AKS; managed identity, environment or
 * the Azure CLI elsewhere).
 */
export const entraCredential: CredentialFor = (scope) => {
  const azure = new DefaultAzureCredential();
  return {
    description: 'Entra ID access token (DefaultAzureCredential)',
    token: async () => {
      const token = await azure.getToken(scope);
      return { secret: token.token, expiresAt: new Date(token.expiresOnTimestamp) };
    },
  };
};

const MINUTE = 60_000;

/**
 * When to sign in again: halfway through the token's remaining life, and no later than five minutes before it
 * expires (Entra ID tokens live 60-90 minutes). A credential that hands back the same cached token is asked again
 * after half of what remains, never more often than once a second.
 */
export function renewalDelay(token: EntraToken, now: number): number {
  const remaining = token.expiresAt.getTime() - now;
  return Math.max(1000, remaining - Math.min(5 * MINUTE, remaining / 2));
}

/**
 * The current token's secret, for a client that sends one with each request: one token is shared by every request
 * until its renewal time, when the next request fetches a new one (requests meanwhile wait for that one fetch).
 */
export function currentSecret(credential: EntraCredential): () => Promise<string> {
  let current: { token: Promise<EntraToken>; renewAt: number } | undefined;
  return async () => {
    if (!current || Date.now() >= current.renewAt) {
      const asked = Date.now();
      const token = credential.token();
      const next = { token, renewAt: Number.POSITIVE_INFINITY };
      current = next;
      token.then(
        (t) => {
          next.renewAt = asked + renewalDelay(t, asked);
        },
        () => {
          if (current === next) current = undefined;
        },
      );
    }
    return (await current.token).secret;
  };
}
