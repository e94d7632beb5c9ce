import { mongo } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

const { MongoClient, ObjectId } = mongo;
type ObjectId = mongo.ObjectId;
type TaskPage = { items: { id: string; status: string }[]; total: number; totalExact: boolean; nextAfter: string | null };
const DAY_MS = 86_400_000;

/** YYYYMMDDHH of an ObjectId, as the archive names its hourly collections. */
const hourOf = (id: ObjectId) => id.getTimestamp().toISOString().slice(0, 13).replace(/[-T]/g, '');

describe('task history: counts, cursor walk and retention on two replicas', () => {
  const cluster = new TestCluster('task-history');
  let a: Master;
  let b: Master;
  let spiderId: string;
  let db: mongo.MongoClient;

  beforeAll(async () => {
    // Retention on, a pass every 2 s, so the retention test sees one within its deadline.
    const env = { CRAWLNEST_TASK_RETENTION_DAYS: '30', CRAWLNEST_TASK_RETENTION_INTERVAL_MS: '2000' };
    a = await cluster.startMaster(env);
    b = await cluster.startMaster(env);
    await cluster.startWorker({ masters: [a, b], name: 'hist1', env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    await cluster.waitNodeReady(a.api, 'hist1', 60_000);
    spiderId = (await a.api.post('/api/spiders', { name: 'hist', cmd: 'echo "line of $CRAWLNEST_TASK_ID"' })).body.id;
    db = await MongoClient.connect(cluster.mongoUri);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await cluster.stop();
  });

  const stats = async (m: Master) => (await m.api.get('/api/stats')).body.tasks as Record<string, number>;

  it('counts stay exact on both replicas while tasks finish, are cancelled, and wait', async () => {
    const before = await stats(a);
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId })));
    // Three that no node can take (no node has the label), cancelled through the other replica.
    const waiting = await Promise.all([0, 1, 2].map(() => a.api.post('/api/tasks', { spiderId, labels: { pool: 'nowhere' } })));
    for (const w of waiting) expect((await b.api.post(`/api/tasks/${w.body.tasks[0].id}/cancel`)).status).toBe(201);
    const parked = (await b.api.post('/api/tasks', { spiderId, labels: { pool: 'nowhere' } })).body.tasks[0].id as string;
    for (const r of created) expect(r.status).toBe(201);
    for (const m of [a, b]) {
      await waitFor(`${m.name}: 12 more finished, 3 more cancelled, one pending`, async () => {
        const s = await stats(m);
        return s.finished === (before.finished ?? 0) + 12 && s.cancelled === (before.cancelled ?? 0) + 3 && s.pending === 1 && s.running === 0 && s.assigned === 0;
      }, 60_000, 200);
    }
    const page = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&status=finished&size=100`)).body;
    expect(page.total).toBe(page.items.length);
    expect(page.totalExact).toBe(true);
    const activity = (await b.api.get('/api/stats/activity?minutes=5')).body.buckets as { finished: number; cancelled: number }[];
    expect(activity).toHaveLength(5);
    expect(activity.reduce((n, x) => n + x.finished, 0)).toBeGreaterThanOrEqual(12);
    expect(activity.reduce((n, x) => n + x.cancelled, 0)).toBeGreaterThanOrEqual(3);
    expect((await a.api.post(`/api/tasks/${parked}/cancel`)).status).toBe(201);
  }, 90_000);

  it('a cursor walk lists every task exactly once while tasks are created and archived', async () => {
    const first = await Promise.all(Array.from({ length: 15 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId })));
    const existing = new Set(first.map((r) => r.body.tasks[0].id as string));
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const q: string = after ? `&after=${after}` : '';
      const m = pages % 2 ? b : a; // alternate replicas: the cursor is not tied to one
      const r = await m.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&size=4${q}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((t) => t.id));
      after = r.body.nextAfter;
      pages++;
      // Meanwhile new tasks arrive and the first ones end (move to the archive).
      if (pages <= 3) await a.api.post('/api/tasks', { spiderId });
    } while (after && pages < 100);
    expect(after).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen).toContain(id);
    const listed = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&size=1000`)).body;
    expect(seen.length).toBeLessThanOrEqual(listed.total);
  }, 90_000);

  it('retention removes ended tasks and their logs past 30 days, and keeps an open task of that hour', async () => {
    const d = db.db(cluster.dbName);
    const at = new Date(Date.now() - 40 * DAY_MS);
    const oldEnded = new ObjectId(Math.floor(at.getTime() / 1000));
    const oldOpen = new ObjectId(Math.floor(at.getTime() / 1000));
    const hour = hourOf(oldEnded);
    const base = { spiderId, spiderVersion: 1, cmd: 'true', param: '', mode: 'selected-nodes', labels: [], env: [], priority: 5, attempt: 1, maxRetries: 0, timeoutSec: 0, createdAt: at, scheduleId: null, parentId: null, sync: null, attempts: [] };
    await d.collection(`task_archive_${hour}`).insertOne({ ...base, _id: oldEnded, nodeIds: [], status: 'finished', nodeId: null, exitCode: 0, error: null, finishedAt: at });
    // Counted like a task this cluster ended, so the purge's decrement lands on a real count.
    await d.collection('task_counters').insertOne({ _id: 'e2e-import' as never, ended: { finished: 1 }, bySpider: { [spiderId]: { finished: 1 } }, byNode: {}, minutes: [] });
    // Waits for a label no node has: stays pending (a selected-nodes task would time out).
    await d.collection('tasks').insertOne({ ...base, _id: oldOpen, mode: 'random', labels: [{ key: 'pool', value: 'nowhere' }], nodeIds: [], status: 'pending', nodeId: null, exitCode: null, error: null, finishedAt: null });
    const line = (id: ObjectId) => ({ _id: `${id.toHexString()}:1:1`, taskId: id.toHexString(), attempt: 1, from: 1, to: 1, lines: [{ seq: 1, ts: at, stream: 'stdout', text: 'old' }] });
    await d.collection(`task_logs_${hour}`).insertMany([line(oldEnded), line(oldOpen)] as never[]);
    const recent = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&status=finished&size=1`)).body.items[0].id;

    await waitFor('the old ended task is gone', async () => (await b.api.get(`/api/tasks/${oldEnded.toHexString()}`)).status === 404, 60_000, 500);
    expect(await d.collection(`task_logs_${hour}`).countDocuments({ taskId: oldEnded.toHexString() })).toBe(0);
    const open = await a.api.get(`/api/tasks/${oldOpen.toHexString()}`);
    expect(open.body.status).toBe('pending');
    expect((await a.api.get(`/api/tasks/${oldOpen.toHexString()}/logs`)).body.lines.map((l: { text: string }) => l.text)).toEqual(['old']);
    expect((await a.api.get(`/api/tasks/${recent}`)).status).toBe(200);
    expect((await a.api.get(`/api/tasks/${recent}/logs`)).body.lines.length).toBeGreaterThan(0);
    const spiderTotal = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&status=finished&size=1000`)).body;
    expect(spiderTotal.total).toBe(spiderTotal.items.length); // the removed task left the count too
    await a.api.post(`/api/tasks/${oldOpen.toHexString()}/cancel`);
  }, 90_000);

  it('a bad cursor or activity window is a 400 naming the field', async () => {
    const r = await a.api.get('/api/tasks?after=nope');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.message)).toContain('after');
    const s = await a.api.get('/api/stats/activity?minutes=0');
    expect(s.status).toBe(400);
    expect(JSON.stringify(s.body.message)).toContain('minutes');
  });
});
