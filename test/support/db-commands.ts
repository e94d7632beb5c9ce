import type { Master } from './cluster';

/** A counter of a master labelled by `command` and `collection` (the driver's command monitoring), summed by `command collection`. */
export async function byCommand(m: Master, metric: string): Promise<Record<string, number>> {
  const text = (await m.api.get('/metrics')).text;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${metric}\\{command="([^"]+)",collection="([^"]*)"\\} ([\\d.e+-]+)$`, 'gm'))) {
    const key = match[2] ? `${match[1]} ${match[2]}` : match[1];
    out[key] = (out[key] ?? 0) + Number(match[3]);
  }
  return out;
}

/** crawlnest_db_commands_total of a master: round trips, by `command collection`. */
export function dbCommands(m: Master): Promise<Record<string, number>> {
  return byCommand(m, 'crawlnest_db_commands_total');
}
