import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import { TaskArchiveRepository } from '../libs/task/src/master/task-archive.repository';
import { DbFlavor } from '../libs/task/src/master/db-flavor';
import { TaskRecord } from '../libs/task/src/task.types';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type Item = { id: string; status: string; spiderId: string };
type TaskPage = { items: Item[]; nextAfter: string | null };
const HOUR_MS = 3_600_000;
const HOURS = 12;
const SPIDERS = ['aa0000000000000000000001', 'aa0000000000000000000002', 'aa0000000000000000000003'];

function ended(ms: number, i: number): TaskRecord {
  const at = new Date(ms);
  const status = i % 5 === 4 ? 'error' : 'finished';
  return {
    _id: new Types.ObjectId(Types.ObjectId.generate(Math.floor(ms / 1000))),
    spiderId: SPIDERS[i % SPIDERS.length], spiderVersion: 1, cmd: 'true', param: '', mode: 'random', nodeIds: [], labels: [], env: [],
    priority: 5, status, nodeId: 'bb0000000000000000000001', attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: status === 'finished' ? 0 : 1,
    error: status === 'error' ? 'exit code 1' : null, createdAt: at, assignedAt: at, ackedAt: at, startedAt: at, finishedAt: new Date(ms + 1000),
    scheduleId: null, parentId: null, sync: null, attempts: [],
  } as unknown as TaskRecord;
}

/**
 * Light traffic over 12 ended hours, stored by two writers (two replicas' close paths: one
 * shelf each per hour), is compacted by the masters to one shelf per hour, while lists stay
 * whole: with a master holding (then SIGKILLed) between writing a merged shelf and its switch,
 * on both replicas, and after the compaction is finished by the restarted master.
 */
describe('task history: compaction of quiet hours (two replicas, a SIGKILL mid-compaction)', () => {
  const cluster = new TestCluster('task-history-compaction');
  let a: Master;
  let b: Master;
  let conn: mongoose.Connection;
  const tasks: TaskRecord[] = [];
  const crashDir = join(cluster.dir, 'crash');

  beforeAll(async () => {
    // a compacts every second and holds at its first merge's crash point; b does not compact (yet).
    a = await cluster.startMaster({ CRAWLNEST_ARCHIVE_COMPACT_INTERVAL_MS: '1000', CRAWLNEST_TEST_CRASH_POINTS: 'mid-archive-compaction', CRAWLNEST_TEST_CRASH_DIR: crashDir });
    b = await cluster.startMaster({ CRAWLNEST_ARCHIVE_COMPACT_INTERVAL_MS: '86400000' });
    conn = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName }).asPromise();
    const writers = [0, 1].map(() => new TaskArchiveRepository(conn as never, new DbFlavor(conn as never)));
    const firstHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - (HOURS + 1) * HOUR_MS;
    for (let h = 0; h < HOURS; h++) for (let k = 0; k < 12; k++) tasks.push(ended(firstHour + h * HOUR_MS + k * 290_000, h * 12 + k));
    // Each writer stores every other task, as two replicas closing the hour's tasks would.
    for (const [i, t] of tasks.entries()) await writers[i % 2].insert(t, true);
    for (const w of writers) await w.onModuleDestroy(); // a clean shutdown seals each writer's shelves
    await conn.db!.collection('task_counters').insertOne({ _id: 'e2e-compact', ended: { finished: tasks.length }, bySpider: {}, byNode: {}, minutes: [] } as never);
  }, 120_000);

  afterAll(async () => {
    await conn?.close();
    await cluster.stop();
  });

  const newestFirst = () => tasks.map((t) => String(t._id)).sort().reverse();

  async function walk(m: Master): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const r: { status: number; body: TaskPage } = await m.api.get<TaskPage>(`/api/tasks?size=25${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      ids.push(...r.body.items.map((t) => t.id));
      after = r.body.nextAfter;
    } while (after && ids.length < tasks.length * 2);
    return ids;
  }

  async function shelvesPerHour(): Promise<number[]> {
    const names = (await conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const per = new Map<string, number>();
    for (const n of names) {
      const m = /^task_archive_(\d{10})_(\d+)$/.exec(n);
      if (m) per.set(m[1], (per.get(m[1]) ?? 0) + 1);
    }
    return [...per.values()];
  }

  it('before compaction: two shelves per hour, and both replicas list every task newest first', async () => {
    // b never compacts here; a may already hold its first merge: at most one hour has a third (unsealed) shelf.
    const before = await shelvesPerHour();
    expect(before).toHaveLength(HOURS);
    expect(before.filter((n) => n === 2).length).toBeGreaterThanOrEqual(HOURS - 1);
    for (const m of [a, b]) await waitFor(`${m.name} lists the seeded hours`, async () => (await walk(m)).length === tasks.length, 30_000, 500);
  });

  it('a master held between writing a merged shelf and its switch, then SIGKILLed: lists stay whole; the restarted master finishes; one shelf per hour', async () => {
    await waitFor('a at its mid-compaction crash point', () => existsSync(join(crashDir, 'mid-archive-compaction')), 60_000, 100);
    // The merged shelf is written, not switched: its tasks are in two places; each is listed once.
    for (const m of [a, b]) expect(await walk(m)).toEqual(newestFirst());
    a.env = { ...a.env, CRAWLNEST_TEST_CRASH_POINTS: '' };
    await cluster.restartMaster(a, 'SIGKILL');
    rmSync(join(crashDir, 'mid-archive-compaction'), { force: true });
    // The dead compactor's claim is taken over after a minute; replaced shelves are dropped 30 s after their switch.
    await waitFor('one shelf per hour', async () => (await shelvesPerHour()).every((n) => n === 1) || undefined, 240_000, 2000);
    expect(await shelvesPerHour()).toHaveLength(HOURS);
    for (const m of [a, b]) expect(await walk(m)).toEqual(newestFirst());
    // A filtered list reads the merged seals.
    const errors = tasks.filter((t) => t.status === 'error').map((t) => String(t._id)).sort().reverse();
    for (const m of [a, b]) expect((await m.api.get<TaskPage>(`/api/tasks?size=100&status=error`)).body.items.map((t) => t.id)).toEqual(errors);
    // And by id, from the merged shelf.
    for (const t of tasks.slice(0, 5)) expect((await b.api.get<Item>(`/api/tasks/${String(t._id)}`)).body).toMatchObject({ id: String(t._id), status: t.status });
  }, 300_000);
});
