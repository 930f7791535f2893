/**
 * Times leave the service as RFC 3339 in UTC: `2018-02-06T21:54:00.730Z`, with microseconds only when the value
 * has them (so a cursor round-trips exactly). A TIMESTAMP without a zone is taken to be UTC.
 */
export function rfc3339Sql(expression: string, withZone: boolean): string {
  const utc = withZone ? `(${expression} AT TIME ZONE 'UTC')` : expression;
  return `CASE WHEN microsecond(${utc}) % 1000 = 0 THEN strftime(${utc}, '%Y-%m-%dT%H:%M:%S.%gZ')
    ELSE strftime(${utc}, '%Y-%m-%dT%H:%M:%S.%fZ') END`;
}

/**
 * A bound time parameter as a value of a time column: an offset in the text is honoured (`…+02:00` is two hours
 * before the same wall-clock time in UTC), and a text without one is UTC.
 */
export function timeParamSql(withZone: boolean): string {
  return withZone ? 'CAST(? AS TIMESTAMPTZ)' : `(CAST(? AS TIMESTAMPTZ) AT TIME ZONE 'UTC')`;
}
