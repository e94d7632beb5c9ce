import { mongo } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

const { MongoClient, ObjectId } = mongo;
type LogPage = { lines: { seq: number; text: string; stream: string }[]; nextAfter: number; done: boolean };
const DAY_MS = 86_400_000;

/** What the spider below prints: a fast burst, a slow trickle (many one-line batches), another burst. */
const EXPECTED = [
  ...Array.from({ length: 1200 }, (_, i) => `fast ${i + 1}`),
  ...Array.from({ length: 40 }, (_, i) => `slow ${i + 1}`),
  ...Array.from({ length: 1500 }, (_, i) => `tail ${i + 1}`),
];
const CMD = "seq 1 1200 | sed 's/^/fast /'; i=1; while [ $i -le 40 ]; do echo \"slow $i\"; i=$((i+1)); sleep 0.02; done; seq 1 1500 | sed 's/^/tail /'";

/**
 * Log pages (issue 15): stored in stride-cut batches in bounded hourly log tables with a stride
 * directory in the hour collection. Read through the REST API of both replicas (one stored
 * the lines and remembers the directory, the other reads it from the database), from
 * arbitrary `after`s; and retention drops an old hour's log tables with it.
 */
describe('task log pages', () => {
  const cluster = new TestCluster('task-logs');
  let a: Master;
  let b: Master;
  let spiderId: string;
  let db: mongo.MongoClient;

  beforeAll(async () => {
    const env = { CRAWLNEST_TASK_RETENTION_DAYS: '30', CRAWLNEST_TASK_RETENTION_INTERVAL_MS: '2000' };
    a = await cluster.startMaster(env);
    b = await cluster.startMaster(env);
    // The worker reports to `a` only: `b` has never seen the task's stride directory.
    await cluster.startWorker({ masters: [a], name: 'logs1' });
    await cluster.waitNodeReady(a.api, 'logs1', 60_000);
    spiderId = (await a.api.post('/api/spiders', { name: 'logs', cmd: 'true' })).body.id;
    db = await MongoClient.connect(cluster.mongoUri);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await cluster.stop();
  });

  it('pages from any `after`, on either replica, give every line once and in order, then done', async () => {
    const id = (await a.api.post('/api/tasks', { spiderId, cmd: CMD })).body.tasks[0].id;
    await waitFor('the task finished', async () => (await a.api.get(`/api/tasks/${id}`)).body.status === 'finished', 60_000, 200);
    for (const m of [b, a]) {
      // A walk by nextAfter, 700 lines a page (pages straddle the 1000-line strides).
      const seen: string[] = [];
      let after = 0;
      for (let page = 0; page < 10; page++) {
        const r = (await m.api.get<LogPage>(`/api/tasks/${id}/logs?after=${after}&limit=700`)).body;
        expect(r.lines.map((l) => l.seq)).toEqual(r.lines.map((_, i) => after + i + 1));
        seen.push(...r.lines.map((l) => l.text));
        after = r.nextAfter;
        if (r.done) break;
      }
      expect(seen).toEqual(EXPECTED);
      for (const from of [0, 999, 1000, 1001, 1199, 1210, 1239, 1240, 2000, 2739]) {
        const r = (await m.api.get<LogPage>(`/api/tasks/${id}/logs?after=${from}&limit=50`)).body;
        expect(r.lines.map((l) => l.text)).toEqual(EXPECTED.slice(from, from + 50));
      }
      const end = (await m.api.get<LogPage>(`/api/tasks/${id}/logs?after=${EXPECTED.length}`)).body;
      expect(end).toEqual({ lines: [], nextAfter: EXPECTED.length, done: true });
    }
    // Stored as the layout says: the hour collection holds only stride marks, the lines are in log tables of that hour.
    const hour = new ObjectId(id).getTimestamp().toISOString().slice(0, 13).replace(/[-T]/g, '');
    const d = db.db(cluster.dbName);
    const marks = await d.collection(`task_logs_${hour}`).find({ _id: { $regex: `^${id}:1:s` } } as never).toArray();
    expect(marks.map((m) => Number(String(m._id).split(':s')[1])).sort((x, y) => x - y)).toEqual([1, 1001, 2001]);
    const tables = (await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith(`task_logs_${hour}_`));
    expect(tables).toEqual(expect.arrayContaining([...new Set(marks.map((m) => `task_logs_${hour}_${m.table}`))]));
  }, 90_000);

  it('retention drops an expired hour with its log tables and directory', async () => {
    const d = db.db(cluster.dbName);
    const at = new Date(Date.now() - 40 * DAY_MS);
    const old = new ObjectId(Math.floor(at.getTime() / 1000));
    const hour = old.getTimestamp().toISOString().slice(0, 13).replace(/[-T]/g, '');
    const oid = old.toHexString();
    await d.collection(`task_archive_${hour}`).insertOne({
      _id: old, spiderId, spiderVersion: 1, cmd: 'true', param: '', mode: 'random', nodeIds: [], labels: [], env: [], priority: 5, attempt: 1, maxRetries: 0, timeoutSec: 0,
      createdAt: at, scheduleId: null, parentId: null, sync: null, attempts: [], status: 'finished', nodeId: null, exitCode: 0, error: null, finishedAt: at,
    });
    await d.collection('task_counters').insertOne({ _id: 'e2e-logs-import' as never, ended: { finished: 1 }, bySpider: { [spiderId]: { finished: 1 } }, byNode: {}, minutes: [] });
    await d.collection(`task_logs_${hour}`).insertOne({ _id: `${oid}:1:s1`, table: 'e2eold' } as never);
    const packed = JSON.stringify({ ts: [at.getTime()], s: 'o', t: ['from 40 days ago'] });
    await d.collection(`task_logs_${hour}_e2eold`).insertOne({ _id: `${oid}:1:1`, taskId: oid, attempt: 1, from: 1, to: 1, packed } as never);
    // Readable in this layout before retention comes (a pass may already have run: then it is 404).
    const before = await a.api.get<LogPage>(`/api/tasks/${oid}/logs`);
    if (before.status === 200) expect(before.body.lines.map((l) => l.text)).toEqual(['from 40 days ago']);

    await waitFor('the old hour is dropped', async () => {
      const names = (await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      return !names.some((n) => n.startsWith(`task_logs_${hour}`) || n === `task_archive_${hour}`);
    }, 60_000, 500);
    expect((await b.api.get(`/api/tasks/${oid}`)).status).toBe(404);
  }, 90_000);
});
