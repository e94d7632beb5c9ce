import { expect } from '@jest/globals';
import type { ApiClient } from './api-client';
import { waitFor } from './wait';

export type Counts = { resultCount: number; resultErrors: number; resultDuplicates: number };
export type StoredItem = Record<string, unknown> & { _id: string; _tid: string; _sid: string; _ts: string };

/** Creates a spider whose files are `files`, returns its id. */
export async function spiderWithFiles(api: ApiClient, body: Record<string, unknown>, files: Record<string, string>): Promise<string> {
  const r = await api.post('/api/spiders', body);
  if (r.status !== 201) throw new Error(`spider create: ${r.status} ${r.text}`);
  const up = await api.putFiles(`/api/spiders/${r.body.id}/files`, files);
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${up.text}`);
  return r.body.id;
}

export async function runTask(api: ApiClient, spiderId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api.post('/api/tasks', { spiderId, ...extra });
  if (r.status !== 201) throw new Error(`task create: ${r.status} ${r.text}`);
  return r.body.tasks[0].id;
}

/** Every stored item of a spider (or one task), through the JSON-lines export. */
export async function exportedItems(api: ApiClient, spiderId: string, taskId?: string): Promise<StoredItem[]> {
  const r = await api.get(`/api/spiders/${spiderId}/results/export?format=jsonl${taskId ? `&taskId=${taskId}` : ''}`);
  if (r.status !== 200) throw new Error(`export: ${r.status} ${r.text.slice(0, 300)}`);
  return r.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StoredItem);
}

export async function endedWithCounts(api: ApiClient, taskId: string, timeoutMs = 120_000): Promise<{ status: string; error: string | null } & Counts> {
  return waitFor(`task ${taskId} ends`, async () => {
    const t = (await api.get(`/api/tasks/${taskId}`)).body;
    return ['finished', 'error', 'cancelled', 'abnormal'].includes(t.status) ? t : undefined;
  }, timeoutMs, 200);
}

export async function allLogLines(api: ApiClient, taskId: string): Promise<string[]> {
  const out: string[] = [];
  let after = 0;
  for (;;) {
    const p = (await api.get<{ lines: { seq: number; text: string }[]; nextAfter: number }>(`/api/tasks/${taskId}/logs?after=${after}&limit=1000`)).body;
    out.push(...p.lines.map((l) => l.text));
    if (p.lines.length < 1000) return out;
    after = p.nextAfter;
  }
}

/** A Node.js spider printing crawlab-sdk's result line: `node emit.js <count> <batch> [prefix]`. */
export const EMIT_JS = `
const [count, batch, prefix = 'item'] = process.argv.slice(2).map((v, i) => (i < 2 ? Number(v) : v));
const line = (payload) => process.stdout.write(JSON.stringify({ type: 'data', payload, ipc: true }) + '\\n');
let buf = [];
for (let i = 1; i <= count; i++) {
  const item = i % 2 ? { kind: 'book', n: i, title: prefix + ' ' + i, tags: ['a', 'b'], price: i / 4 } : { kind: 'author', n: i, name: 'Name, "quoted"\\n' + i };
  if (batch <= 1) line(item);
  else {
    buf.push(item);
    if (buf.length === batch) { line(buf); buf = []; }
  }
  if (i % 1000 === 0) console.log('progress ' + i);
}
if (buf.length) line(buf);
`;

/**
 * Walks every page of a results listing (`path` with its query, without page/size) and checks it
 * against `expected` (the export of the same scope): no item missing or repeated across pages,
 * `total` equal to the count on every page, and, with `ordered`, newest first (`_id` descending:
 * one task's items, read in order). Returns the pages' items.
 */
export async function expectPagesAgree(api: ApiClient, path: string, expected: StoredItem[], size: number, ordered = false): Promise<StoredItem[]> {
  const sep = path.includes('?') ? '&' : '?';
  const seen: StoredItem[] = [];
  const pages = Math.ceil(expected.length / size) + 1;
  for (let page = 1; page <= pages; page++) {
    const r = await api.get<{ items: StoredItem[]; total: number }>(`${path}${sep}page=${page}&size=${size}`);
    if (r.status !== 200) throw new Error(`${path} page ${page}: ${r.status} ${r.text.slice(0, 300)}`);
    expect({ path, page, total: r.body.total }).toEqual({ path, page, total: expected.length });
    const want = Math.max(0, Math.min(size, expected.length - (page - 1) * size));
    expect({ path, page, items: r.body.items.length }).toEqual({ path, page, items: want });
    seen.push(...r.body.items);
  }
  const ids = seen.map((i) => i._id);
  expect({ path, repeated: ids.length - new Set(ids).size }).toEqual({ path, repeated: 0 });
  expect([...ids].sort()).toEqual(expected.map((i) => i._id).sort());
  if (ordered) expect(ids).toEqual([...ids].sort().reverse());
  return seen;
}
