import * as core from '@actions/core';
import { ClientAssertionCredential } from '@azure/identity';

export const AZURE_AUDIENCE = 'api://AzureADTokenExchange';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface AzureLogin {
  clientId: string;
  tenantId: string;
  subscriptionId: string;
}

/** Claims of the job's GitHub ID token that decide which federated credential matches. */
export interface IdTokenClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  repository?: string;
  ref?: string;
  environment?: string;
  event_name?: string;
}

/**
 * Checks, before Terraform runs, that Azure accepts this job's ID token for the app; a mismatch otherwise
 * surfaces minutes later as an opaque backend error. Returns the environment for the azurerm provider and
 * backend, which fetch fresh tokens themselves (so long applies do not outlive a static token).
 */
export async function preflightAzureOidc(login: AzureLogin): Promise<Record<string, string>> {
  let token: string;
  try {
    token = await core.getIDToken(AZURE_AUDIENCE);
  } catch (error) {
    throw new Error(
      `could not get the job's GitHub ID token (${String(error)}): the job needs \`permissions: id-token: write\`, and PRs from forks get no token`,
    );
  }
  const claims = decodeClaims(token);
  try {
    const credential = new ClientAssertionCredential(login.tenantId, login.clientId, async () => token);
    await credential.getToken('https://management.azure.com/.default');
  } catch (error) {
    throw new Error(explainRejectedToken(claims, login, error));
  }
  core.info(`Azure accepted the ID token for subject ${claims.sub ?? '(none)'}`);
  return {
    ARM_USE_OIDC: 'true',
    ARM_USE_AZUREAD: 'true',
    ARM_CLIENT_ID: login.clientId,
    ARM_TENANT_ID: login.tenantId,
    ARM_SUBSCRIPTION_ID: login.subscriptionId,
  };
}

export function decodeClaims(token: string): IdTokenClaims {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the GitHub ID token is not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IdTokenClaims;
}

/** The subject GitHub's default claim template gives this job: what a federated credential must name. */
export function defaultSubject(claims: IdTokenClaims): string | null {
  if (!claims.repository) return null;
  const repo = `repo:${claims.repository}`;
  if (claims.environment) return `${repo}:environment:${claims.environment}`;
  if (claims.event_name === 'pull_request' || claims.event_name === 'pull_request_target')
    return `${repo}:pull_request`;
  return claims.ref ? `${repo}:ref:${claims.ref}` : null;
}

export function explainRejectedToken(claims: IdTokenClaims, login: AzureLogin, error: unknown): string {
  const sub = claims.sub ?? '(no sub claim)';
  const usual = defaultSubject(claims);
  const lines = [
    `Azure rejected this job's GitHub ID token for app ${login.clientId} in tenant ${login.tenantId}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    `The token's subject is: ${sub}`,
    `A federated credential on the app that matches this job: issuer ${claims.iss ?? GITHUB_ISSUER}, audience ${AZURE_AUDIENCE}, subject ${sub}`,
  ];
  if (usual && usual !== sub) {
    lines.push(
      `(The repository customizes its subject claim; GitHub's default for this job would be ${usual}.)`,
    );
  }
  if (claims.environment) {
    lines.push(
      `The job runs in environment "${claims.environment}", so a credential for a branch or pull_request subject does not match it.`,
    );
  }
  return lines.join('\n');
}
