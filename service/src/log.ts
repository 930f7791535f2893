import { pino } from 'pino';

/** One structured JSON logger for the whole service; `ODP_LOG_LEVEL` sets its level. */
export type Logger = pino.Logger;

/**
 * Logs go to stdout for the long-running server (where containers collect them) and to stderr for one-shot
 * commands, whose stdout is their result (`odp ingest --json`).
 */
export function createLogger(level: pino.LevelWithSilent = 'info', fd: 1 | 2 = 1): Logger {
  return pino(
    { level, base: { service: 'odp' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd, sync: true }),
  );
}
