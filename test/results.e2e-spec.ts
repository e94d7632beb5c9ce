import { parse } from 'csv-parse/sync';
import { Master, TestCluster } from './support/cluster';
import { memoryOf } from './support/proc-memory';
import { allLogLines, EMIT_JS, endedWithCounts, expectPagesAgree, exportedItems, runTask, spiderWithFiles, StoredItem } from './support/results-helpers';
import { waitFor } from './support/wait';

const NODE = process.execPath;

describe('results: capture, storage, REST, export', () => {
  const cluster = new TestCluster('results');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'rw1' });
    await cluster.startWorker({ masters: [m], name: 'rw2' });
    await cluster.waitNodeReady(m.api, 'rw1');
    await cluster.waitNodeReady(m.api, 'rw2');
  });
  afterAll(() => cluster.stop());

  /** Follows a field filter's cursor until every item was searched; each answer moves on. */
  async function searchAll(path: string): Promise<{ items: StoredItem[]; searched: number }> {
    const items: StoredItem[] = [];
    let cursor: string | null = null;
    let searched = 0;
    for (let round = 0; round < 500; round++) {
      const r: { status: number; body: { items: StoredItem[]; cursor: string | null; searched: number } } = await m.api.get(`${path}${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(r.status).toBe(200);
      expect(r.body.searched).toBeGreaterThan(searched);
      searched = r.body.searched;
      items.push(...r.body.items);
      cursor = r.body.cursor;
      if (cursor === null) break;
    }
    return { items, searched };
  }

  it('a Node.js spider printing the crawlab-sdk line: every item stored once with _tid/_sid, counts, fields, pages, CSV round trip', async () => {
    const N = 3000;
    const sid = await spiderWithFiles(m.api, { name: 'Node Emitter!', cmd: `${NODE} emit.js ${N} 7` }, { 'emit.js': EMIT_JS });
    const spider = (await m.api.get(`/api/spiders/${sid}`)).body;
    expect(spider).toMatchObject({ resultsCollection: 'results_node_emitter', dedup: null, resultCount: 0 });
    const tid = await runTask(m.api, sid);
    const t = await endedWithCounts(m.api, tid);
    expect(t).toMatchObject({ status: 'finished', resultCount: N, resultErrors: 0, resultDuplicates: 0 });
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(N);

    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(N);
    expect(new Set(items.map((i) => i.n)).size).toBe(N);
    for (const i of items) expect(i).toMatchObject({ _tid: tid, _sid: sid });
    expect(items.every((i) => !Number.isNaN(Date.parse(i._ts)))).toBe(true);
    // Both item types, untouched.
    expect(items.find((i) => i.n === 1)).toMatchObject({ kind: 'book', title: 'item 1', tags: ['a', 'b'], price: 0.25 });
    expect(items.find((i) => i.n === 2)).toMatchObject({ kind: 'author', name: 'Name, "quoted"\n2' });
    // The log holds the progress lines, not the result lines, and a summary.
    const log = await allLogLines(m.api, tid);
    expect(log.some((l) => l.includes('"ipc"'))).toBe(false);
    expect(log).toContain('progress 3000');
    expect(log.some((l) => l.includes(`results: ${N} items read, ${N} stored`))).toBe(true);

    const fields = (await m.api.get(`/api/spiders/${sid}/results/fields`)).body as string[];
    expect(fields).toEqual(expect.arrayContaining(['kind', 'n', 'title', 'tags', 'price', 'name', '_id', '_tid', '_sid', '_ts']));

    // Newest first, pages that do not overlap, totals from the counts.
    const p1 = (await m.api.get(`/api/tasks/${tid}/results?page=1&size=50`)).body;
    const p2 = (await m.api.get(`/api/tasks/${tid}/results?page=2&size=50`)).body;
    expect(p1.total).toBe(N);
    expect(p1.items).toHaveLength(50);
    expect(p1.items[0]._id > p1.items[49]._id).toBe(true);
    expect(p1.items[49]._id > p2.items[0]._id).toBe(true);
    // A field filter answers within its time budget: a page, or what it found so far and a cursor to go on.
    const first = (await m.api.get(`/api/spiders/${sid}/results?field=n&value=2990`)).body;
    expect(first).toMatchObject({ total: null, of: N });
    const filtered = await searchAll(`/api/spiders/${sid}/results?field=n&value=2990`);
    expect(filtered.items).toHaveLength(1);
    expect(filtered.items[0]).toMatchObject({ n: 2990, kind: 'author' });
    expect((await m.api.get(`/api/spiders/${sid}/results?field=$where&value=1`)).status).toBe(400);

    // Every page, of the spider and of the task, against the export: none missing or repeated, newest first.
    await expectPagesAgree(m.api, `/api/spiders/${sid}/results`, items, 1000, true);
    await expectPagesAgree(m.api, `/api/tasks/${tid}/results`, items, 1000, true);
    const deep = (await m.api.get(`/api/tasks/${tid}/results?page=59&size=50`)).body;
    expect(deep.items.map((i: StoredItem) => i._id)).toEqual([...items].map((i) => i._id).sort().reverse().slice(58 * 50, 59 * 50));

    // A field filter goes on from its cursor until every item was searched: the matches are the export's.
    const { items: books, searched } = await searchAll(`/api/spiders/${sid}/results?field=kind&value=book&size=400`);
    expect(searched).toBe(N);
    expect(books.map((i) => i._id)).toEqual(items.filter((i) => i.kind === 'book').map((i) => i._id).sort().reverse());
    expect((await m.api.get(`/api/spiders/${sid}/results?field=kind&value=book&cursor=x1`)).status).toBe(400);
    const bad = await m.api.get(`/api/spiders/${sid}/results/export?format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('format');

    // CSV: a real parser reads back the same values; nested values are JSON; the BOM on request.
    const csv = await m.api.get(`/api/spiders/${sid}/results/export?format=csv&bom=1`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const raw = Buffer.from(await (await fetch(`${m.api.baseUrl}/api/spiders/${sid}/results/export?format=csv&bom=1`, { headers: { authorization: `Bearer ${cluster.apiToken}` } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(raw, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(N);
    const byN = new Map(rows.map((r) => [r.n, r]));
    for (const it of items as StoredItem[]) {
      const row = byN.get(String(it.n))!;
      expect(row.kind).toBe(it.kind);
      expect(row.title).toBe(it.title ?? '');
      expect(row.name).toBe(it.name ?? '');
      expect(row.tags).toBe(it.tags ? JSON.stringify(it.tags) : '');
      expect(row.price).toBe(it.price === undefined ? '' : String(it.price));
      expect(row._tid).toBe(tid);
    }
    const json = await m.api.get(`/api/spiders/${sid}/results/export?format=json`);
    expect(json.body).toHaveLength(N);

    // Deleting one task's results: gone, and its counts with them.
    const del = await m.api.delete(`/api/spiders/${sid}/results?taskId=${tid}`);
    expect(del.body).toEqual({ deleted: N });
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(0);
    expect((await m.api.get(`/api/tasks/${tid}`)).body.resultCount).toBe(0);
    expect(await exportedItems(m.api, sid)).toHaveLength(0);
  }, 300_000);

  it('hostile output: each bad line gets its own outcome, good items around it are stored, worker and master stay healthy', async () => {
    const script = `
const out = (s) => process.stdout.write(s + '\\n');
const data = (payload) => out(JSON.stringify({ type: 'data', payload, ipc: true }));
data({ n: 1, ok: true });
out('{"type":"data","payload":{"n":99},"ipc":true');                  // broken JSON carrying "ipc":true
data([1, 2, { n: 2 }]);                                                  // payload of numbers (two refused, one kept)
data({ n: 3, '$set': 1, 'a.b': { '$c.d': 2 }, _id: 'mine' });          // keys MongoDB cannot store
data({ n: 4, big: 'x'.repeat(5 * 1024 * 1024) });                        // a 5 MiB item (over the 1 MiB item cap)
data({ n: 5, huge: 'y'.repeat(20 * 1024 * 1024) });                      // a 20 MiB result line (over the 16 MiB line cap)
out('plain log line ' + 'z'.repeat(200 * 1024));                         // a long log line: cut with a marker
process.stdout.write(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a])); // invalid UTF-8
data({ n: 6, ok: true });
// A line without newline, 1 GiB, written in 16 MiB chunks with backpressure.
const chunk = Buffer.alloc(16 * 1024 * 1024, 0x71);
let left = 64;
const more = () => { while (left > 0) { left--; if (!process.stdout.write(chunk)) return process.stdout.once('drain', more); } };
more();
`;
    const sid = await spiderWithFiles(m.api, { name: 'hostile', cmd: `${NODE} hostile.js` }, { 'hostile.js': script });
    const worker = cluster.workers[0];
    const before = memoryOf(worker.proc.pid!);
    const tid = await runTask(m.api, sid, { mode: 'selected-nodes', nodeIds: [await cluster.waitNodeReady(m.api, 'rw1')] });
    let peak = before.rss;
    const t = await waitFor('hostile task ends', async () => {
      peak = Math.max(peak, memoryOf(worker.proc.pid!).rss);
      const v = (await m.api.get(`/api/tasks/${tid}`)).body;
      return ['finished', 'error'].includes(v.status) ? v : undefined;
    }, 240_000, 100);
    expect(t).toMatchObject({ status: 'finished', resultCount: 4, resultErrors: 5 });
    // 1 GiB without a newline, a 20 MiB line: the worker's memory grew by far less than either.
    expect(peak - before.rss).toBeLessThan(150 * 1024 * 1024);

    const items = await exportedItems(m.api, sid);
    expect(items.map((i) => i.n as number).sort((x, y) => x - y)).toEqual([1, 2, 3, 6]);
    const escaped = items.find((i) => i.n === 3)!;
    expect(escaped).toMatchObject({ '%24set': 1, 'a%2Eb': { '%24c%2Ed': 2 }, '%5Fid': 'mine' });
    // Long lines shortened here, so a failure message stays readable.
    const log = (await allLogLines(m.api, tid)).map((l) => (l.length > 400 ? `${l.slice(0, 200)}<…>${l.slice(-200)}` : l));
    const text = log.join('\n');
    expect(text).toContain('malformed result line');
    expect(text).toContain('payload item 0 is a number, not an object');
    expect(text).toContain('larger than CRAWLNEST_MAX_ITEM_BYTES');
    expect(text).toContain('longer than CRAWLNEST_MAX_RESULT_LINE_BYTES');
    expect(text).toMatch(/plain log line z+<…>z+…\[line truncated: 204815 bytes, the log keeps the first 65024\]/);
    expect(text).toContain('results: 9 items read, 4 stored, 0 duplicates, 5 refused');
    expect(log).toContain('bad\ufffd\ufffd');
    expect(text).toMatch(new RegExp(`qqqq<…>q+…\\[line truncated: ${1024 * 1024 * 1024} bytes`));

    // Both still serve: a next task on the same worker stores its items.
    const sid2 = await spiderWithFiles(m.api, { name: 'after-hostile', cmd: `${NODE} emit.js 10 1` }, { 'emit.js': EMIT_JS });
    const t2 = await endedWithCounts(m.api, await runTask(m.api, sid2, { mode: 'selected-nodes', nodeIds: [t.nodeId] }));
    expect(t2).toMatchObject({ status: 'finished', resultCount: 10 });
  }, 300_000);

  it('cancel mid-crawl keeps the items saved before it', async () => {
    const script = `let i = 0; setInterval(() => { i++; process.stdout.write(JSON.stringify({ type: 'data', payload: { n: i }, ipc: true }) + '\\n'); }, 20);`;
    const sid = await spiderWithFiles(m.api, { name: 'slow', cmd: `${NODE} slow.js` }, { 'slow.js': script });
    const tid = await runTask(m.api, sid);
    await waitFor('some items stored', async () => (await m.api.get(`/api/tasks/${tid}`)).body.resultCount >= 20, 60_000, 100);
    expect((await m.api.post(`/api/tasks/${tid}/cancel`)).status).toBe(201);
    const t = await endedWithCounts(m.api, tid);
    expect(t.status).toBe('cancelled');
    // Whatever was printed before the stop is delivered (the worker ships before reporting).
    const settled = await waitFor('counts settle', async () => {
      const a = (await m.api.get(`/api/tasks/${tid}`)).body.resultCount;
      await new Promise((r) => setTimeout(r, 500));
      const b = (await m.api.get(`/api/tasks/${tid}`)).body.resultCount;
      return a === b ? b : undefined;
    }, 30_000, 10);
    expect(settled).toBeGreaterThanOrEqual(20);
    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(settled);
    const ns = items.map((i) => i.n as number).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: settled }, (_, k) => k + 1));
  });

  it('dedup ignore and overwrite: the same keys from two workers at once give one document per key', async () => {
    for (const mode of ['ignore', 'overwrite'] as const) {
      // Each task emits keys 1..K, with its own marker in a non-key field.
      const K = 300;
      const script = `const me = process.env.MARK; const out = []; for (let k = 1; k <= ${K}; k++) out.push({ key: k, mark: me });
for (let i = 0; i < out.length; i += 10) process.stdout.write(JSON.stringify({ type: 'data', payload: out.slice(i, i + 10), ipc: true }) + '\\n');`;
      const sid = await spiderWithFiles(
        m.api,
        { name: `dedup-${mode}`, cmd: `${NODE} d.js`, dedup: { keys: ['key'], mode } },
        { 'd.js': script },
      );
      const [n1, n2] = [await cluster.waitNodeReady(m.api, 'rw1'), await cluster.waitNodeReady(m.api, 'rw2')];
      const t1 = await runTask(m.api, sid, { mode: 'selected-nodes', nodeIds: [n1], env: { MARK: 'one' } });
      const t2 = await runTask(m.api, sid, { mode: 'selected-nodes', nodeIds: [n2], env: { MARK: 'two' } });
      expect((await endedWithCounts(m.api, t1)).status).toBe('finished');
      expect((await endedWithCounts(m.api, t2)).status).toBe('finished');
      // Read once both ended: with overwrite, a task's count drops when the other takes its items over.
      const [a, b] = [(await m.api.get(`/api/tasks/${t1}`)).body, (await m.api.get(`/api/tasks/${t2}`)).body];
      expect(a.resultCount + b.resultCount).toBe(K);
      expect(a.resultDuplicates + b.resultDuplicates).toBe(K);
      const items = await exportedItems(m.api, sid);
      expect(items).toHaveLength(K);
      expect(new Set(items.map((i) => i.key)).size).toBe(K);
      expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(K);
      // Pages agree with the export, for the spider and for each task (an overwritten item left its first task's pages).
      await expectPagesAgree(m.api, `/api/spiders/${sid}/results`, items, 40);
      for (const t of [t1, t2]) await expectPagesAgree(m.api, `/api/tasks/${t}/results`, items.filter((i) => i._tid === t), 33, true);
      // A filter on the dedup key finds the key's one document through its claim.
      const byKey = (await m.api.get(`/api/spiders/${sid}/results?field=key&value=77`)).body;
      expect(byKey).toMatchObject({ total: 1, items: [items.find((i) => i.key === 77)] });
      expect((await m.api.get(`/api/spiders/${sid}/results?field=key&value=9999`)).body).toMatchObject({ total: 0, items: [] });
      if (mode === 'overwrite') {
        // Every key was written by both: a duplicate replaced the first one's document.
        const marks = new Set(items.map((i) => i.mark));
        expect(marks.size).toBeGreaterThanOrEqual(1);
        const dupOf = (t: string) => items.filter((i) => i.mark === (t === t1 ? 'one' : 'two')).length;
        expect(dupOf(t1) + dupOf(t2)).toBe(K);
        // Each item belongs to the task that wrote it last, and counts for it.
        expect(items.filter((i) => i._tid === t1).length).toBe(a.resultCount);
        expect(items.filter((i) => i._tid === t2).length).toBe(b.resultCount);
      }
    }
  }, 180_000);

  it('spider settings: bad resultsCollection or dedup is a 400 naming the field; PATCH sets them', async () => {
    const bad = await m.api.post('/api/spiders', { name: 'x', cmd: 'true', resultsCollection: 'tasks' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('resultsCollection');
    const badDedup = await m.api.post('/api/spiders', { name: 'x', cmd: 'true', dedup: { keys: [], mode: 'merge' } });
    expect(badDedup.status).toBe(400);
    expect(badDedup.text).toContain('dedup');
    const sid = (await m.api.post('/api/spiders', { name: 'x', cmd: 'true' })).body.id;
    const p = await m.api.patch(`/api/spiders/${sid}`, { resultsCollection: 'results_custom', dedup: { keys: ['url'], mode: 'overwrite' } });
    expect(p.body).toMatchObject({ resultsCollection: 'results_custom', dedup: { keys: ['url'], mode: 'overwrite' } });
    const off = await m.api.patch(`/api/spiders/${sid}`, { dedup: null });
    expect(off.body.dedup).toBeNull();
  });
});
