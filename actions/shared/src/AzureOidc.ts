import * as core from '@actions/core';

export const AZURE_AUDIENCE = 'api://AzureADTokenExchange';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const PUBLIC_CLOUD_AUTHORITY = 'https://login.microsoftonline.com';
const ARM_SCOPE = 'https://management.azure.com/.default';

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
    await requestArmToken(login, token);
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

/**
 * The client credentials grant with the ID token as client assertion (workload identity federation), as
 * Entra ID's v2.0 token endpoint takes it. Throws Entra's own error description (`AADSTS…`) when refused.
 */
async function requestArmToken(login: AzureLogin, idToken: string): Promise<void> {
  // AZURE_AUTHORITY_HOST as the Azure SDKs read it: a sovereign cloud's login host, or a test's stand-in.
  const authority = (process.env.AZURE_AUTHORITY_HOST || PUBLIC_CLOUD_AUTHORITY).replace(/\/+$/, '');
  const endpoint = `${authority}/${encodeURIComponent(login.tenantId)}/oauth2/v2.0/token`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: login.clientId,
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: idToken,
        scope: ARM_SCOPE,
      }),
      // A login host that never answers should fail the check, not hold the job until its time limit.
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? `: ${String(error.cause)}` : '';
    throw new Error(`could not reach ${endpoint} (${String(error)}${cause})`);
  }
  const text = await response.text();
  const body = parseJsonObject(text);
  if (response.ok && typeof body?.access_token === 'string') return;
  const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
  throw new Error(description ?? `HTTP ${response.status} from ${endpoint}: ${text.slice(0, 500)}`);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
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
    `Azure rejected this job's GitHub ID token for app ${login.clientId} in tenant ${login.tenantId}: ${error instanceof Error ? error.message.split(/\r?\n/)[0] : String(error)}`,
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
