import type { Master } from '../test/support/cluster';

/** crawlnest_db_commands_total of a master (the driver's command monitoring), by command. */
export async function dbCommands(m: Master): Promise<Record<string, number>> {
  const text = (await m.api.get('/metrics')).text;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^crawlnest_db_commands_total\{command="([^"]+)"\} (\d+(?:\.\d+)?)$/gm)) out[match[1]] = Number(match[2]);
  return out;
}

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
