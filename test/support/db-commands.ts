import type { Master } from './cluster';
import { parsePromText } from './prom-text';

/** A counter of a master labelled by `command` and `collection` (the driver's command monitoring), summed by `command collection`. */
export async function byCommand(m: Master, metric: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of parsePromText((await m.api.get('/metrics')).text).samples) {
    if (s.name !== metric || s.labels.command === undefined) continue;
    const key = s.labels.collection ? `${s.labels.command} ${s.labels.collection}` : s.labels.command;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** crawlnest_db_commands_total of a master: round trips, by `command collection`. */
export function dbCommands(m: Master): Promise<Record<string, number>> {
  return byCommand(m, 'crawlnest_db_commands_total');
}
