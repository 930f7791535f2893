import { expect } from 'chai';
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
