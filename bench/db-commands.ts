import type { Master } from '../test/support/cluster';
import { byCommand } from '../test/support/db-commands';

export { dbCommands } from '../test/support/db-commands';

/** Commands per task between two readings, total and by command name. */
export function perTask(before: Record<string, number>, after: Record<string, number>, tasks: number): { total: number; byName: string } {
  const diff = Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)] as const);
  const total = diff.reduce((a, [, v]) => a + v, 0) / tasks;
  const byName = diff
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / tasks).toFixed(2)}`)
    .join(', ');
  return { total, byName };
}

/** crawlnest_db_command_seconds_total of a master: seconds spent waiting, by `command collection`. */
export function dbSeconds(m: Master): Promise<Record<string, number>> {
  return byCommand(m, 'crawlnest_db_command_seconds_total');
}

/** The commands that took the most database time between two readings, as ms per task. */
export function timePerTask(before: Record<string, number>, after: Record<string, number>, tasks: number, top = 8): string {
  return Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${k} ${((v * 1000) / tasks).toFixed(1)}`)
    .join(', ');
}

/** crawlnest_task_reports_total of a master: worker reports handled, by `kind outcome`. */
export async function taskReports(m: Master): Promise<Record<string, number>> {
  const text = (await m.api.get('/metrics')).text;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^crawlnest_task_reports_total\{kind="([^"]+)",outcome="([^"]+)"\} (\d+(?:\.\d+)?)$/gm)) {
    out[`${match[1]} ${match[2]}`] = Number(match[3]);
  }
  return out;
}
