/** One item taken from a result line: its JSON text, or why it was refused. */
export type ParsedItem = { json: string } | { error: string };

const IPC_MARK = /"ipc"\s*:\s*true/;

/**
 * Recognises crawlab-sdk's result line, `{"type":"data","payload":{...}|[{...}],"ipc":true}`,
 * as Crawlab's runner does: a JSON object with `ipc: true` and `type` `"data"` or empty.
 * Returns null for a log line. A line that carries `"ipc":true` but is not valid JSON is a
 * broken result line: refused, so the task's result errors show it.
 */
export function parseResultLine(line: string): ParsedItem[] | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.includes('"ipc"')) return null;
  let msg: unknown;
  try {
    msg = JSON.parse(trimmed);
  } catch (err) {
    if (!IPC_MARK.test(trimmed)) return null;
    return [{ error: `malformed result line (${trimmed.length} characters): not valid JSON (${err instanceof Error ? err.message : String(err)})` }];
  }
  if (!isObject(msg) || msg.ipc !== true) return null;
  if (msg.type !== undefined && msg.type !== null && msg.type !== '' && msg.type !== 'data') return null;
  const payload = msg.payload;
  if (payload === undefined || payload === null) return [{ error: 'result line without a payload' }];
  const items = Array.isArray(payload) ? payload : [payload];
  return items.map((item, i) =>
    isObject(item) ? { json: JSON.stringify(item) } : { error: `payload item ${i} is ${describe(item)}, not an object` },
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
