import { CronTime } from 'cron';

/** Null when `expr` is a valid 5- or 6-field (with seconds) cron expression, else why not. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return `expected 5 or 6 fields, got ${fields}`;
  const r = CronTime.validateCronExpression(expr);
  return r.valid ? null : (r.error?.message ?? 'invalid cron expression');
}

/** The next time `expr` fires after now (UTC). */
export function nextRun(expr: string): Date {
  return new CronTime(expr, 'UTC').sendAt().toJSDate();
}

/**
 * The identity of one tick, the same on every replica: the fire time rounded to the
 * nearest second. Replicas fire within milliseconds of the boundary, far under 500 ms.
 */
export function tickKey(scheduleId: string, firedAt: number): string {
  return `schedule:${scheduleId}:${Math.round(firedAt / 1000)}`;
}
