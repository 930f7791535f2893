import { readFile } from 'node:fs/promises';
import ky, { HTTPError, TimeoutError } from 'ky';
import type { LanguageModelSettings } from '../config/config.js';
import { type CredentialFor, currentSecret, type EntraCredential, entraCredential } from '../entra/token.js';
import { messageOf } from '../errors.js';

/** Azure OpenAI accepts workload-identity tokens for this audience. */
const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** Asks the model one question; resolves with its answer, or rejects with why it could not be had. */
export type Ask = (instructions: string, text: string) => Promise<string>;

/** Why a request failed, in words an operator can act on. */
function explain(error: unknown, settings: LanguageModelSettings): string {
  if (error instanceof TimeoutError) return `no answer within ${settings.timeoutMs} ms`;
  if (error instanceof HTTPError)
    return `the model answered ${error.response.status} ${error.response.statusText}`;
  return messageOf(error);
}

/**
 * A client of an OpenAI-compatible chat-completions endpoint (`<url>/chat/completions`). Timeouts, 429 and 5xx
 * answers are retried with backoff, up to `attempts`; the key is read from its file when the client is made, so
 * a rotated Key Vault secret is used from the next run on. With `entra`, every request carries the current token
 * of the identity `credentialFor` gives, renewed before it expires.
 */
export async function chatModel(
  settings: LanguageModelSettings,
  credentialFor: CredentialFor = entraCredential,
): Promise<Ask> {
  const headers =
    settings.auth.kind === 'entra'
      ? entraHeaders(credentialFor(COGNITIVE_SERVICES_SCOPE))
      : keyHeaders((await readFile(settings.auth.keyFile, 'utf8')).trim());
  return async (instructions, text) => {
    try {
      const answer = await ky
        .post(`${settings.url}/chat/completions`, {
          headers: await headers(),
          json: {
            model: settings.model,
            messages: [
              { role: 'system', content: instructions },
              { role: 'user', content: text },
            ],
          },
          timeout: settings.timeoutMs,
          retry: { limit: settings.attempts - 1, methods: ['post'], retryOnTimeout: true, jitter: true },
        })
        .json<{ choices?: { message?: { content?: string } }[] }>();
      const content = answer.choices?.[0]?.message?.content?.trim();
      if (!content) throw new Error('the model answered without a message');
      return content;
    } catch (error) {
      // ky's errors hold the request, headers included: never pass them on, where a log could print the secret.
      const kyError = error instanceof HTTPError || error instanceof TimeoutError;
      throw new Error(explain(error, settings), kyError ? undefined : { cause: error });
    }
  };
}

type Headers = () => Promise<Record<string, string>>;

/** Azure OpenAI takes the key as `api-key`; other OpenAI-compatible servers as a bearer token. */
const keyHeaders =
  (key: string): Headers =>
  async () => ({ authorization: `Bearer ${key}`, 'api-key': key });

function entraHeaders(credential: EntraCredential): Headers {
  const secret = currentSecret(credential);
  return async () => ({ authorization: `Bearer ${await secret()}` });
}
