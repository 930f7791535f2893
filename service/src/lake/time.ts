/**
 * Times leave the service as RFC 3339 in UTC: `2018-02-06T21:54:00.730Z`, with microseconds only when the value
 * has them (so a cursor round-trips exactly). A TIMESTAMP without a zone is taken to be UTC.
 */
export function rfc3339Sql(expression: string, withZone: boolean): string {
  const utc = withZone ? `(${expression} AT TIME ZONE 'UTC')` : expression;
  return `CASE WHEN microsecond(${utc}) % 1000 = 0 THEN strftime(${utc}, '%Y-%m-%dT%H:%M:%S.%gZ')
    ELSE strftime(${utc}, '%Y-%m-%dT%H:%M:%S.%fZ') END`;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Whether text is an ISO-8601 date or time (space or T, offset optional) naming a real instant. */
export function readsAsTime(text: string): boolean {
  return ISO.test(text) && !Number.isNaN(Date.parse(text.replace(' ', 'T')));
}

/**
 * An ISO-8601 time as the UTC wall-clock text a `TIMESTAMP` column compares with: an offset is applied
 * (`2018-02-06T22:54:00+01:00` is `2018-02-06 21:54:00`), a text without one is UTC already, and fractions keep
 * every digit. Done here rather than in SQL so the bound value stays a plain `CAST(? AS TIMESTAMP)`, which the
 * engine folds and pushes into the scan (a cast through TIMESTAMPTZ cost 8 ms a read). Undefined when not a time.
 */
export function utcTimestampText(text: string): string | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone] = m;
  let wall = `${y}-${mo}-${d} ${h}:${mi}:${s}`;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [oh = '0', om = '0'] = zone.slice(1).replace(':', '').match(/\d{2}/g) ?? [];
    const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const utc = new Date(local - sign * (Number(oh) * 60 + Number(om)) * 60_000);
    if (Number.isNaN(utc.getTime())) return undefined;
    wall = utc.toISOString().slice(0, 19).replace('T', ' ');
  }
  return fraction ? `${wall}.${fraction}` : wall;
}
