import cronstrue from 'cronstrue';
import { CronExpressionParser } from 'cron-parser';

export type CronPreview = { words: string; next: Date[] } | { error: string };

/**
 * A cron expression in words and its next run times, computed in the browser so the form
 * answers while the user types. The master stays the judge: it validates again on save.
 */
export function cronPreview(expr: string, opts: { count?: number; from?: Date; tz?: string } = {}): CronPreview {
  const trimmed = expr.trim();
  const fields = trimmed ? trimmed.split(/\s+/).length : 0;
  if (fields < 5 || fields > 6) return { error: `expected 5 or 6 fields, got ${fields}` };
  let words: string;
  try {
    words = cronstrue.toString(trimmed, { use24HourTimeFormat: true, verbose: false });
  } catch (err) {
    // cronstrue throws plain strings prefixed "Error: ".
    return { error: String(err instanceof Error ? err.message : err).replace(/^Error:\s*/, '') };
  }
  try {
    const it = CronExpressionParser.parse(trimmed, { currentDate: opts.from ?? new Date(), tz: opts.tz ?? 'UTC' });
    const next = it.take(opts.count ?? 5).map((d) => d.toDate());
    if (next.length === 0) return { error: 'matches no date: it would never run' };
    return { words, next };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
