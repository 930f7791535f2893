import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { ClientConfig } from 'pg';

/**
 * A libpq connection string, `host=… port=… dbname=… user=… sslmode=…` or `postgresql://user@host:port/db?…`,
 * read into its keywords. DuckDB hands the same text to libpq; the lease connection (node-postgres) needs it
 * spelled out.
 */
export function parseConninfo(conninfo: string): Map<string, string> {
  const text = conninfo.trim();
  if (/^postgres(ql)?:\/\//.test(text)) {
    const url = new URL(text);
    const keywords = new Map<string, string>();
    if (url.hostname) keywords.set('host', decodeURIComponent(url.hostname));
    if (url.port) keywords.set('port', url.port);
    if (url.username) keywords.set('user', decodeURIComponent(url.username));
    if (url.pathname.length > 1) keywords.set('dbname', decodeURIComponent(url.pathname.slice(1)));
    for (const [key, value] of url.searchParams) keywords.set(key, value);
    return keywords;
  }
  // keyword = value pairs; a value may be single-quoted; \' and \\ are escapes in any value.
  const keywords = new Map<string, string>();
  const pair = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s'\\]|\\.)+))/gy;
  let match: RegExpExecArray | null = pair.exec(text);
  let end = 0;
  while (match) {
    keywords.set(match[1] as string, (match[2] ?? (match[3] as string)).replace(/\\(.)/g, '$1'));
    end = pair.lastIndex;
    match = pair.exec(text);
  }
  if (text.slice(end).trim() !== '') {
    throw new Error(`the PostgreSQL connection string is not valid from "${text.slice(end).trim()}" on`);
  }
  return keywords;
}

/** The connection string with `keyword` set to `value`; libpq takes the last of a repeated keyword. */
function withKeyword(conninfo: string, keyword: string, value: string): string {
  const text = conninfo.trim();
  if (!/^postgres(ql)?:\/\//.test(text)) return `${text} ${keyword}='${value.replace(/(['\\])/g, '\\$1')}'`;
  const url = new URL(text);
  url.searchParams.set(keyword, value);
  return url.toString();
}

/** The same connection string, taking its password from `passfile` (libpq's password file). */
export const withPassfile = (conninfo: string, passfile: string): string =>
  withKeyword(conninfo, 'passfile', passfile);

/** The sslmode libpq uses: the one given, or verify-full when `sslrootcert=system` is (libpq 16 and later). */
const sslmodeOf = (k: Map<string, string>): string | undefined =>
  k.get('sslmode') ?? (k.get('sslrootcert') === 'system' ? 'verify-full' : undefined);

/**
 * Whether libpq checks that the server is the one named: `sslmode=verify-full`, which `sslrootcert=system` implies
 * when no sslmode is given. `require` encrypts without checking who answers; `verify-ca` checks only that some
 * certificate from a trusted root is shown, which any site's is with the system's roots.
 */
export const verifiesServer = (k: Map<string, string>): boolean => sslmodeOf(k) === 'verify-full';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/** Whether every host the connection string names is this machine: a loopback address or a Unix socket. */
export function onlyLoopback(k: Map<string, string>): boolean {
  const hosts = [k.get('host'), k.get('hostaddr')].filter((h) => h !== undefined);
  return (
    hosts.length > 0 &&
    hosts
      .flatMap((h) => h.split(','))
      .every((h) => h.trim().startsWith('/') || LOOPBACK.test(h.trim().replace(/^\[(.*)\]$/, '$1')))
  );
}

/**
 * A connection string that verifies the server checks it against the system's trusted roots unless it names its
 * own (`sslrootcert=<file>`): libpq would otherwise look for ~/.postgresql/root.crt.
 */
export function withSystemRoots(conninfo: string, k: Map<string, string>): string {
  const verifying = ['verify-ca', 'verify-full'].includes(k.get('sslmode') ?? '');
  return verifying && !k.has('sslrootcert') ? withKeyword(conninfo, 'sslrootcert', 'system') : conninfo;
}

/** The system's trusted root certificates, as node-postgres is given them. */
function systemRoots(): string[] {
  const roots = tls.getCACertificates('system');
  if (roots.length === 0) {
    throw new Error(
      'no trusted root certificates were found on this system to verify the PostgreSQL server with: install ' +
        'ca-certificates, or name the CA file with sslrootcert=<file> in the connection string',
    );
  }
  return roots;
}

/** The node-postgres settings for the same server, user and database; `password` is the current token. */
export function pgClientConfig(
  conninfo: string,
  password: string | undefined,
  applicationName: string,
): ClientConfig {
  const k = parseConninfo(conninfo);
  const config: ClientConfig = {
    application_name: applicationName,
    connectionTimeoutMillis: Number(k.get('connect_timeout') ?? 10) * 1000,
  };
  const host = k.get('host') ?? k.get('hostaddr');
  if (host) config.host = host;
  if (k.has('port')) config.port = Number(k.get('port'));
  const database = k.get('dbname');
  if (database) config.database = database;
  const user = k.get('user');
  if (user) config.user = user;
  if (password !== undefined) config.password = password;
  const mode = sslmodeOf(k);
  if (mode === 'require' || mode === 'verify-ca' || mode === 'verify-full') {
    // node-postgres checks the certificate in every one of these modes, against the same roots as libpq.
    const roots = k.get('sslrootcert') ?? 'system';
    config.ssl = {
      rejectUnauthorized: true,
      ca: roots === 'system' ? systemRoots() : readFileSync(roots, 'utf8'),
      // verify-ca checks the chain but not the name, as libpq does.
      ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    };
  }
  return config;
}
