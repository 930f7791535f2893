import { pino } from 'pino';

/** One structured JSON logger for the whole service; `ODP_LOG_LEVEL` sets its level. */
export type Logger = pino.Logger;

const REDACTED = '[redacted]';

/** Words in the name of a parameter that carries a credential: `api_key`, `access_token`, `client_secret`, `sig`, … */
const CREDENTIAL_WORDS = 'key|token|secret|passw|pwd|sig|credential|auth';

/**
 * Credentials wherever they appear in a line, however they got there: an API key (`odp_<id>_<secret>`: the id,
 * which is no secret, stays), the value of an Authorization or X-API-Key field, a bearer or basic token, and a
 * URL parameter named like a credential (an Azure SAS `sig`, an `access_token`).
 */
const CREDENTIALS: [RegExp, string][] = [
  [/(odp_[0-9a-f]{12}_)[A-Za-z0-9_-]+/g, `$1${REDACTED}`],
  [/("(?:authorization|proxy-authorization|x-api-key|cookie)":)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [new RegExp(`([?&][^=&"\\s]*(?:${CREDENTIAL_WORDS})[^=&"\\s]*=)[^&"\\s\\\\]*`, 'gi'), `$1${REDACTED}`],
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
 * A request's query string as the access log keeps it, otherwise as sent: the value of a parameter named like a
 * credential, or holding an API key, is replaced, however it was encoded (the API takes no key in the URL, but a
 * client may still send one).
 */
export function loggedQuery(querystring: string): string {
  const credential = new RegExp(CREDENTIAL_WORDS, 'i');
  return querystring
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at < 0) return redacted(pair);
      const name = pair.slice(0, at);
      const value = decoded(pair.slice(at + 1));
      const secret = credential.test(decoded(name)) || redacted(value) !== value;
      return `${redacted(name)}=${secret ? REDACTED : pair.slice(at + 1)}`;
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
