import { Cron } from 'croner';
import { z } from 'zod';

/** A cron pattern the scheduler can run: five fields, or six with seconds first. */
export const CronPattern = z.string().refine(
  (pattern) => {
    try {
      new Cron(pattern, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid cron pattern' },
);
