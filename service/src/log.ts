import { pino } from 'pino';

/** One structured JSON logger for the whole service; `ODP_LOG_LEVEL` sets its level. */
export type Logger = pino.Logger;

export function createLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'odp' }, timestamp: pino.stdTimeFunctions.isoTime });
}
