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

/** The same connection string, taking its password from `passfile` (libpq's password file). */
export function withPassfile(conninfo: string, passfile: string): string {
  const text = conninfo.trim();
  if (!/^postgres(ql)?:\/\//.test(text)) return `${text} passfile='${passfile.replace(/(['\\])/g, '\\$1')}'`;
  const url = new URL(text);
  url.searchParams.set('passfile', passfile);
  return url.toString();
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
  // libpq's `require` encrypts without checking the certificate; node-postgres checks it as well.
  if (['require', 'verify-ca', 'verify-full'].includes(k.get('sslmode') ?? '')) config.ssl = true;
  return config;
}
