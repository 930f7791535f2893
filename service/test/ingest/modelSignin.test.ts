import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { stdSerializers } from 'pino';
import type { EntraCredential, EntraToken } from '../../src/entra/token.js';
import { chatModel } from '../../src/pipeline/chatModel.js';
import { ChatStandIn } from '../fixtures/chatModel.js';
import { until } from '../fixtures/until.js';

/**
 * A stand-in for Entra ID's token endpoint (none can be reached here): it issues tokens that each stay valid until
 * their own expiry, and keeps which audience each was asked for.
 */
class TokenIssuer {
  readonly issued: (EntraToken & { scope: string })[] = [];
  constructor(private readonly lifetimeMs: number) {}

  readonly credentialFor = (scope: string): EntraCredential => ({
    description: 'expiring token (stand-in for Entra ID)',
    token: async () => {
      const token = {
        scope,
        secret: randomBytes(16).toString('hex'),
        expiresAt: new Date(Date.now() + this.lifetimeMs),
      };
      this.issued.push(token);
      return token;
    },
  });

  /** Whether `authorization` is a bearer token this issuer gave that has not expired. */
  valid(authorization: string | undefined): boolean {
    const now = Date.now();
    return this.issued.some((t) => authorization === `Bearer ${t.secret}` && t.expiresAt.getTime() > now);
  }
}

describe('summaries with the pod’s workload identity (ODP_LLM_AUTH=entra), against a stand-in token issuer', () => {
  let model: ChatStandIn;
  let issuer: TokenIssuer;
  const settings = () => ({
    url: model.url,
    model: 'stand-in-model',
    auth: { kind: 'entra' as const },
    concurrency: 1,
    timeoutMs: 10_000,
    attempts: 1,
    giveUpAfter: 5,
  });

  beforeEach(async () => {
    model = await ChatStandIn.start();
    // Tokens live 4 s: renewed after 2, so a request on a loaded machine still arrives with a valid one.
    issuer = new TokenIssuer(4_000);
    model.accepts = (authorization) => issuer.valid(authorization);
  });
  afterEach(() => model.stop());

  it('asks for a Cognitive Services token, sends it as a bearer token, and renews it before it expires', async () => {
    const ask = await chatModel(settings(), issuer.credentialFor);
    let asked = 0;
    // One question after another, over several tokens' lifetimes: the model refuses any expired token (401),
    // which would fail the question.
    await until('a third token to be in use', async () => {
      await ask('Say it in three words.', `question number ${asked++}`);
      return issuer.issued.length >= 3 ? true : undefined;
    });
    expect(new Set(issuer.issued.map((t) => t.scope))).to.deep.equal(
      new Set(['https://cognitiveservices.azure.com/.default']),
    );
    expect(model.requests).to.have.length(asked);
    // A token serves many requests; it is not fetched for each.
    expect(asked).to.be.greaterThan(issuer.issued.length * 2);
    const used = new Set(model.requests.map((r) => r.authorization));
    expect(used.size).to.equal(issuer.issued.length);
  });

  it('keeps the token out of the error it reports when the model refuses it', async () => {
    model.accepts = () => false;
    const ask = await chatModel(settings(), issuer.credentialFor);
    const error = await ask('Say it.', 'a text').then(
      () => expect.fail('the model refused every token'),
      (e: unknown) => e as Error,
    );
    expect(error.message).to.equal('the model answered 401 Unauthorized');
    // What a log line or a console would print of it, its causes included.
    const printed = [
      JSON.stringify(stdSerializers.err(error)),
      inspect(error, { depth: Number.POSITIVE_INFINITY }),
    ];
    expect(issuer.issued).to.have.length(1);
    for (const text of printed) expect(text).to.not.include(issuer.issued[0]!.secret);
  });
});
