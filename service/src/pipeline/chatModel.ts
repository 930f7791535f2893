import { readFile } from 'node:fs/promises';
import { DefaultAzureCredential } from '@azure/identity';
import ky, { HTTPError, TimeoutError } from 'ky';
import type { LanguageModelSettings } from '../config/config.js';
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
 * a rotated Key Vault secret is used from the next run on.
 */
export async function chatModel(settings: LanguageModelSettings): Promise<Ask> {
  const credential = settings.auth.kind === 'entra' ? new DefaultAzureCredential() : undefined;
  const key =
    settings.auth.kind === 'key' ? (await readFile(settings.auth.keyFile, 'utf8')).trim() : undefined;
  return async (instructions, text) => {
    const token = credential ? (await credential.getToken(COGNITIVE_SERVICES_SCOPE)).token : undefined;
    const headers: Record<string, string> = token
      ? { authorization: `Bearer ${token}` }
      : { authorization: `Bearer ${key}`, 'api-key': key! };
    try {
      const answer = await ky
        .post(`${settings.url}/chat/completions`, {
          headers,
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
      throw new Error(explain(error, settings), { cause: error });
    }
  };
}
