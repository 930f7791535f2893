import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { preflightAzureOidc } from '../src/AzureOidc.js';
import { decodeClaims, defaultSubject, explainRejectedToken } from '../src/index.js';

const login = { clientId: 'app-id', tenantId: 'tenant-id', subscriptionId: 'sub-id' };
const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('Azure OIDC preflight explanations', () => {
  it('names the subject a federated credential must have for an environment job', () => {
    const claims = decodeClaims(
      token({
        sub: 'repo:odp-example/platform:environment:poc',
        iss: 'https://token.actions.githubusercontent.com',
        repository: 'odp-example/platform',
        environment: 'poc',
        event_name: 'push',
        ref: 'refs/heads/main',
      }),
    );
    const text = explainRejectedToken(
      claims,
      login,
      new Error('AADSTS700213: No matching federated identity record found'),
    );
    expect(text).to.include('app app-id in tenant tenant-id: AADSTS700213');
    expect(text).to.include("The token's subject is: repo:odp-example/platform:environment:poc");
    expect(text).to.include(
      'audience api://AzureADTokenExchange, subject repo:odp-example/platform:environment:poc',
    );
    expect(text).to.include('runs in environment "poc"');
  });

  it('points out a customized subject claim', () => {
    const claims = {
      sub: 'repo:odp-example/platform:pr',
      repository: 'odp-example/platform',
      event_name: 'pull_request',
    };
    expect(defaultSubject(claims)).to.equal('repo:odp-example/platform:pull_request');
    expect(explainRejectedToken(claims, login, 'denied')).to.include(
      "GitHub's default for this job would be repo:odp-example/platform:pull_request",
    );
  });

  it('rejects a token that is not a JWT', () => {
    expect(() => decodeClaims('opaque')).to.throw('the GitHub ID token is not a JWT');
  });
});

describe('Azure OIDC preflight, against stand-ins for the runner and Entra ID', () => {
  // One local server answers both: the runner's ID token request and Entra ID's v2.0 token endpoint.
  const idToken = token({
    sub: 'repo:odp-example/platform:environment:poc',
    iss: 'https://token.actions.githubusercontent.com',
    repository: 'odp-example/platform',
    environment: 'poc',
  });
  const overridden = [
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'AZURE_AUTHORITY_HOST',
  ];
  const saved = Object.fromEntries(overridden.map((name) => [name, process.env[name]]));
  let server: Server;
  let audiences: (string | null)[];
  let tokenRequests: { path: string; form: Record<string, string> }[];
  let entraAnswer: { status: number; body: object };

  before(async () => {
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      if (request.method === 'GET' && url.pathname === '/id-token') {
        audiences.push(url.searchParams.get('audience'));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ value: idToken }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      tokenRequests.push({
        path: url.pathname,
        form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      });
      response.writeHead(entraAnswer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(entraAnswer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${url}/id-token?api-version=2.0`;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'runner-request-token';
    process.env.AZURE_AUTHORITY_HOST = `${url}/`;
  });

  beforeEach(() => {
    audiences = [];
    tokenRequests = [];
  });

  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise((resolve) => server.close(resolve));
  });

  it('presents the ID token to Entra ID as a client assertion and hands Terraform the OIDC settings', async () => {
    entraAnswer = { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'arm' } };
    expect(await preflightAzureOidc(login)).to.deep.equal({
      ARM_USE_OIDC: 'true',
      ARM_USE_AZUREAD: 'true',
      ARM_CLIENT_ID: 'app-id',
      ARM_TENANT_ID: 'tenant-id',
      ARM_SUBSCRIPTION_ID: 'sub-id',
    });
    expect(audiences).to.deep.equal(['api://AzureADTokenExchange']);
    expect(tokenRequests).to.deep.equal([
      {
        path: '/tenant-id/oauth2/v2.0/token',
        form: {
          client_id: 'app-id',
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: idToken,
          scope: 'https://management.azure.com/.default',
        },
      },
    ]);
  });

  it("explains Entra ID's refusal with its AADSTS code and the subject a credential must name", async () => {
    entraAnswer = {
      status: 400,
      body: {
        error: 'invalid_client',
        error_description:
          "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'.\r\nTrace ID: 0b7c\r\nCorrelation ID: 9f2e\r\nTimestamp: 2025-01-01 00:00:00Z",
        error_codes: [70021],
      },
    };
    const message = await preflightAzureOidc(login).then(
      () => expect.fail('the preflight accepted a refused token'),
      (error: Error) => error.message,
    );
    expect(message.split('\n')[0]).to.equal(
      "Azure rejected this job's GitHub ID token for app app-id in tenant tenant-id: AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'.",
    );
    expect(message).to.include("The token's subject is: repo:odp-example/platform:environment:poc");
    expect(message).to.include('runs in environment "poc"');
    expect(tokenRequests).to.have.length(1);
  });
});
