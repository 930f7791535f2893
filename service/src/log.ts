import { pino } from 'pino';

/** One structured JSON logger for the whole service; `ODP_LOG_LEVEL` sets its level. */
export type Logger = pino.Logger;

const REDACTED = '[redacted]';

/** Words in the name of a parameter that carries a credential: `api_key`, `access_token`, `client_secret`, `sig`, … */
const CREDENTIAL_NAME = /key|token|secret|passw|pwd|sig|credential|auth/i;

/** An API key's public part, `odp_<id>_` (the id is its group): `access/keys.ts` builds a key's format on it. */
export const API_KEY_PREFIX = 'odp_([0-9a-f]{12})_';

/**
 * Credentials wherever they appear in a line, however they got there: an API key, the value of an Authorization
 * or X-API-Key field, a bearer or basic token, and a URL parameter named like a credential (an Azure SAS `sig`, an
 * `access_token`). Each pattern runs in time linear in the line: the parameter's name is judged in the callback,
 * not by the pattern, which would otherwise retry the words at every position of a long name.
 */
const CREDENTIALS: [RegExp, (match: string, ...groups: string[]) => string][] = [
  [new RegExp(`(${API_KEY_PREFIX})[A-Za-z0-9_-]+`, 'g'), (_, prefix) => `${prefix}${REDACTED}`],
  [
    /("(?:authorization|proxy-authorization|x-api-key|cookie)":)"(?:[^"\\]|\\.)*"/gi,
    (_, field) => `${field}"${REDACTED}"`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_, scheme) => `${scheme} ${REDACTED}`],
  [
    /([?&])([^=&"\s]*)=([^&"\s\\]*)/g,
    (match, separator, name) => (CREDENTIAL_NAME.test(name) ? `${separator}${name}=${REDACTED}` : match),
  ],
];

/** A log line with every credential in it replaced. */
export function redacted(line: string): string {
  let text = line;
  for (const [pattern, replacement] of CREDENTIALS) text = text.replace(pattern, replacement);
  return text;
}

/** A URL component decoded, or as it is when it is not valid percent-encoding. */
function decoded(component: string): string {
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    return component;
  }
}

/**
 * A request's query string as the access log keeps it, otherwise as sent. The log's own redaction sees credentials
 * as written; this adds those only their decoded form shows: a parameter whose percent-encoded name reads like a
 * credential, or whose encoded value holds an API key (the API takes no key in the URL, but a client may send one).
 */
export function loggedQuery(querystring: string): string {
  return querystring
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at < 0) return pair;
      const value = decoded(pair.slice(at + 1));
      const secret = CREDENTIAL_NAME.test(decoded(pair.slice(0, at))) || redacted(value) !== value;
      return secret ? `${pair.slice(0, at)}=${REDACTED}` : pair;
    })
    .join('&');
}

/**
 * Logs go to stdout for the long-running server (where containers collect them) and to stderr for one-shot
 * commands, whose stdout is their result (`odp ingest --json`). Every line leaves through `redacted`.
 */
export function createLogger(level: pino.LevelWithSilent = 'info', fd: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'odp' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redacted },
    },
    pino.destination({ fd, sync: true }),
  );
}
