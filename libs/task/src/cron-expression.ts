import { CronTime } from 'cron';
import { nextFireTimes } from './schedule-ticks';

/** Null when `expr` is a valid 5- or 6-field (with seconds) cron expression, else why not. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return `expected 5 or 6 fields, got ${fields}`;
  const r = CronTime.validateCronExpression(expr);
  if (!r.valid) return r.error?.message ?? 'invalid cron expression';
  // Well-formed yet matching no date (30 February): the cron library throws when asked
  // for the next run, which would surface as a 500 on create and at every reload.
  try {
    nextRun(expr);
  } catch {
    return 'matches no date: it would never run';
  }
  // Ticks are computed with cron-parser (it walks back and forth across DST in a zone): the
  // expression must mean something to it too.
  try {
    nextFireTimes(expr, 'UTC', Date.now(), 1);
  } catch (err) {
    return `not supported: ${err instanceof Error ? err.message : String(err)}`;
  }
  return null;
}

/** The next time `expr` fires after now (UTC). */
export function nextRun(expr: string): Date {
  return new CronTime(expr, 'UTC').sendAt().toJSDate();
}
