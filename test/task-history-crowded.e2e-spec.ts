import mongoose, { Types } from 'mongoose';
import { TaskArchiveRepository } from '../libs/task/src/master/task-archive.repository';
import { DbFlavor } from '../libs/task/src/master/db-flavor';
import { TaskRecord } from '../libs/task/src/task.types';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Item = { id: string; status: string; spiderId: string; nodeId: string | null };
type TaskPage = { items: Item[]; total: number; totalExact: boolean; nextAfter: string | null };
const DAY_MS = 86_400_000;
const STATUSES = ['finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'error', 'cancelled'] as const;
const SPIDERS = ['aa0000000000000000000001', 'aa0000000000000000000002', 'aa0000000000000000000003', 'aa0000000000000000000004', 'aa0000000000000000000005'];
const NODES = ['bb0000000000000000000001', 'bb0000000000000000000002', 'bb0000000000000000000003'];
// One spider and one node that ran rarely: a filtered page must find their few tasks among thousands.
const RARE_SPIDER = 'aa00000000000000000000ff';
const RARE_NODE = 'bb00000000000000000000ff';

/** An ended task created at `ms`, with the i-th status, spider and node of the mix. */
function ended(ms: number, i: number): TaskRecord {
  const at = new Date(ms);
  const status = STATUSES[i % STATUSES.length];
  return {
    _id: new Types.ObjectId(Types.ObjectId.generate(Math.floor(ms / 1000))),
    spiderId: i % 97 === 5 ? RARE_SPIDER : SPIDERS[i % SPIDERS.length], spiderVersion: 1, cmd: 'true', param: '', mode: 'random', nodeIds: [], labels: [], env: [],
    priority: 5, status, nodeId: i % 89 === 7 ? RARE_NODE : NODES[i % NODES.length], attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: status === 'finished' ? 0 : 1,
    error: status === 'error' ? 'exit code 1' : null, createdAt: at, assignedAt: at, ackedAt: at, startedAt: at, finishedAt: new Date(ms + 1000),
    scheduleId: null, parentId: null, sync: null, attempts: [],
  } as unknown as TaskRecord;
}

/**
 * Stores `tasks` the two ways tasks reach the archive: most in bulk (full, sealed shelves), the
 * rest one by one through the close path's insert, 8 at a time, in the order they end (the
 * last shelf stays open: its writer, this test, never seals it, like a replica that died).
 */
async function seed(repo: TaskArchiveRepository, tasks: TaskRecord[], oneByOne: number): Promise<void> {
  const bulk = tasks.slice(0, tasks.length - oneByOne);
  for (let i = 0; i < bulk.length; i += 1000) await repo.insertMany(bulk.slice(i, i + 1000));
  const rest = tasks.slice(tasks.length - oneByOne);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < rest.length) await repo.insert(rest[next++], true);
  }));
}

/** The counter document a replica would have written for `tasks` (ended counts by status, spider, node). */
function counterDoc(id: string, tasks: TaskRecord[], sign = 1): Record<string, unknown> {
  const ended: Record<string, number> = {};
  const bySpider: Record<string, Record<string, number>> = {};
  const byNode: Record<string, Record<string, number>> = {};
  for (const t of tasks) {
    ended[t.status] = (ended[t.status] ?? 0) + sign;
    (bySpider[t.spiderId] ??= {})[t.status] = (bySpider[t.spiderId][t.status] ?? 0) + sign;
    (byNode[t.nodeId!] ??= {})[t.status] = (byNode[t.nodeId!][t.status] ?? 0) + sign;
  }
  return { _id: id, ended, bySpider, byNode, minutes: [] };
}

describe('task history: a crowded hour (thousands of ended tasks) on two replicas', () => {
  const cluster = new TestCluster('task-history-crowded');
  let a: Master;
  let b: Master;
  let conn: mongoose.Connection;
  let repo: TaskArchiveRepository;
  let spiderId: string;
  const crowd: TaskRecord[] = [];

  beforeAll(async () => {
    const env = { CRAWLNEST_TASK_RETENTION_DAYS: '30', CRAWLNEST_TASK_RETENTION_INTERVAL_MS: '2000' };
    a = await cluster.startMaster(env);
    b = await cluster.startMaster(env);
    await cluster.startWorker({ masters: [a, b], name: 'crowd1', env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    await cluster.waitNodeReady(a.api, 'crowd1', 60_000);
    spiderId = (await a.api.post('/api/spiders', { name: 'crowd-live', cmd: 'sleep 1' })).body.id;
    conn = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName }).asPromise();
    repo = new TaskArchiveRepository(conn as never, new DbFlavor(conn as never));
    // 3000 tasks created over the last 10 minutes (one second may hold several: ids still order them).
    const now = Date.now();
    for (let i = 0; i < 3000; i++) crowd.push(ended(now - 600_000 + Math.floor((i * 590_000) / 3000), i));
    // Stored in the order they end: created order, with every 10th running 1-4 minutes longer.
    const endsAt = (i: number) => i + (i % 10 === 3 ? 200 : 0);
    const order = crowd.map((t, i) => ({ t, e: endsAt(i) })).sort((x, y) => x.e - y.e).map((x) => x.t);
    await seed(repo, order, 600);
    await conn.db!.collection('task_counters').insertOne(counterDoc('e2e-crowd', crowd) as never);
    // Stored from outside the masters: they learn its hours from their next listing of the
    // collections (at most 10 s; a task ended by a replica is known sooner, from its open copy).
    const newest = crowd.map((t) => String(t._id)).sort().reverse()[0];
    for (const m of [a, b]) {
      await waitFor(`${m.name} lists the seeded hours`, async () => (await m.api.get<TaskPage>('/api/tasks?size=1')).body.items[0]?.id === newest, 30_000, 250);
    }
  }, 240_000);

  afterAll(async () => {
    await conn?.close();
    await cluster.stop();
  });

  /** Every item of a cursor walk with `query`, page by page, alternating replicas. */
  async function walk(query: string, size: number, between?: (page: number) => Promise<void>): Promise<Item[]> {
    const seen: Item[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const m = pages % 2 ? b : a;
      const r: { status: number; body: TaskPage } = await m.api.get<TaskPage>(`/api/tasks?size=${size}${query}${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items);
      after = r.body.nextAfter;
      pages++;
      await between?.(pages);
    } while (after && pages < 2000);
    expect(after).toBeNull();
    return seen;
  }

  const seeded = (f: (t: TaskRecord) => boolean) => crowd.filter(f).map((t) => String(t._id)).sort().reverse();

  it('the first page is the 20 newest of the crowded hour, newest first, on both replicas', async () => {
    for (const m of [a, b]) {
      const page = (await m.api.get<TaskPage>('/api/tasks?size=20')).body;
      expect(page.items.map((t) => t.id)).toEqual(seeded(() => true).slice(0, 20));
      expect(page.total).toBe(3000);
    }
  });

  it('a walk of every page lists each task once, newest first, and filters agree with it', async () => {
    const all = await walk('', 100);
    expect(all.map((t) => t.id)).toEqual(seeded(() => true));
    const cases: [string, (t: Item) => boolean][] = [
      ['&status=error', (t) => t.status === 'error'],
      ['&status=cancelled', (t) => t.status === 'cancelled'],
      [`&spiderId=${RARE_SPIDER}`, (t) => t.spiderId === RARE_SPIDER],
      [`&nodeId=${RARE_NODE}`, (t) => t.nodeId === RARE_NODE],
      [`&spiderId=${SPIDERS[1]}&status=finished`, (t) => t.spiderId === SPIDERS[1] && t.status === 'finished'],
    ];
    for (const [q, keep] of cases) {
      const filtered = await walk(q, 20);
      expect({ q, ids: filtered.map((t) => t.id) }).toEqual({ q, ids: all.filter(keep).map((t) => t.id) });
      const first = (await a.api.get<TaskPage>(`/api/tasks?size=20${q}`)).body;
      expect(first.total).toBe(filtered.length);
    }
  }, 180_000);

  it('a task of the crowded hour is found by id on both replicas, from any shelf', async () => {
    for (const i of [0, 1234, 2399, 2400, 2999]) {
      const t = crowd[i];
      for (const m of [a, b]) {
        const r = await m.api.get<Item>(`/api/tasks/${String(t._id)}`);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ id: String(t._id), status: t.status, spiderId: t.spiderId });
      }
    }
  });

  it('a cursor walk sees every task once while tasks are created and end meanwhile', async () => {
    // Tasks running when the walk starts end during it (they move into the archive's shelves).
    const running = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId })));
    const live = running.map((r) => r.body.tasks[0].id as string);
    const existing = new Set([...live, ...crowd.map((t) => String(t._id))]);
    const created: string[] = [];
    const seen = await walk('', 50, async (page) => {
      if (page % 5 === 0 && created.length < 6) created.push((await a.api.post('/api/tasks', { spiderId })).body.tasks[0].id);
    });
    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const missing = [...existing].filter((id) => !ids.includes(id));
    expect(missing).toEqual([]);
    const sorted = [...ids].sort().reverse();
    expect(ids).toEqual(sorted);
    for (const id of live) {
      await waitFor(`live task ${id} ended`, async () => (await b.api.get(`/api/tasks/${id}`)).body.status === 'finished', 60_000, 200);
    }
    // Once ended they are listed as ended, once.
    const after = await walk(`&spiderId=${spiderId}`, 3);
    expect(after.filter((t) => live.includes(t.id)).map((t) => t.status)).toEqual(live.map(() => 'finished'));
  }, 180_000);

  it('retention drops a crowded hour 40 days old: its shelves and directory go, its tasks and counts too', async () => {
    const start = Math.floor((Date.now() - 40 * DAY_MS) / 3_600_000) * 3_600_000 + 60_000; // 20 minutes inside one hour
    const old = Array.from({ length: 1200 }, (_, i) => ended(start + i * 1000, i));
    await seed(repo, old, 300);
    const d = conn.db!;
    await d.collection('task_counters').insertOne(counterDoc('e2e-old', old) as never);
    const hour = new Date(start).toISOString().slice(0, 13).replace(/[-T]/g, '');
    const shelves = async () => (await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith(`task_archive_${hour}`));
    expect((await shelves()).length).toBeGreaterThan(12); // 12 shelves at least, and the directory
    const probe = String(old[700]._id);
    expect([200, 404]).toContain((await a.api.get(`/api/tasks/${probe}`)).status);
    await waitFor('the old crowded hour is dropped', async () => (await shelves()).length === 0, 90_000, 500);
    for (const m of [a, b]) {
      await waitFor(`${m.name} no longer finds an old task`, async () => (await m.api.get(`/api/tasks/${probe}`)).status === 404, 30_000, 500);
    }
    const total = (await a.api.get<TaskPage>('/api/tasks?size=1')).body.total;
    const open = (await a.api.get('/api/stats')).body.tasks as Record<string, number>;
    expect(total).toBe(Object.values(open).reduce((n, x) => n + x, 0));
    // The crowded hour of today is untouched.
    expect((await b.api.get(`/api/tasks/${String(crowd[42]._id)}`)).status).toBe(200);
  }, 180_000);
});
