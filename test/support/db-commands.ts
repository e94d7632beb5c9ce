import type { Master } from './cluster';

/** crawlnest_db_commands_total of a master (the driver's command monitoring), by `command collection`. */
export async function dbCommands(m: Master): Promise<Record<string, number>> {
  const text = (await m.api.get('/metrics')).text;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^crawlnest_db_commands_total\{command="([^"]+)",collection="([^"]*)"\} (\d+(?:\.\d+)?)$/gm)) {
    const key = match[2] ? `${match[1]} ${match[2]}` : match[1];
    out[key] = (out[key] ?? 0) + Number(match[3]);
  }
  return out;
}
