import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
    // Retention on, a pass every 2 s, so the retention test sees one within its deadline. Shelves
    // of 4: each replica's tasks go to archive shelves of 4, so every
    // test here reads crowded hours the way 30,000 tasks in one hour are read with shelves of 512.
    const env = { CRAWLNEST_TASK_RETENTION_DAYS: '30', CRAWLNEST_TASK_RETENTION_INTERVAL_MS: '2000', CRAWLNEST_TASK_SHELF_SIZE: '4' };
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

  /** Every task of a filter, by following nextAfter from the newest, alternating replicas (or on `only`). */
  const walk = async (query: string, size: number, only?: Master): Promise<string[]> => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 500; pages++) {
      const q: string = after ? `&after=${after}` : '';
      const r: { status: number; body: TaskPage } = await (only ?? (pages % 2 ? b : a)).api.get<TaskPage>(`/api/tasks?size=${size}${query}${q}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((t) => t.id));
      after = r.body.nextAfter;
      if (!after) return seen;
    }
    throw new Error(`walk ${query} did not end`);
  };
  const newestFirst = (ids: string[]) => [...ids].sort().reverse();

  /** How many copies of each task the archive holds, over every archive collection of its hour (the hour's own and its shelves). */
  const archivedCopies = async (ids: string[]): Promise<{ copies: Map<string, number>; inShelves: number }> => {
    const d = db.db(cluster.dbName);
    const names = (await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const copies = new Map(ids.map((id) => [id, 0]));
    let inShelves = 0;
    for (const hour of new Set(ids.map((id) => hourOf(new ObjectId(id))))) {
      for (const name of names.filter((n) => n === `task_archive_${hour}` || n.startsWith(`task_archive_${hour}_`))) {
        const found = await d.collection(name).find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }, { projection: { _id: 1 } }).toArray();
        for (const f of found) copies.set(f._id.toHexString(), (copies.get(f._id.toHexString()) ?? 0) + 1);
        if (name !== `task_archive_${hour}`) inShelves += found.length;
      }
    }
    return { copies, inShelves };
  };

  it('a crowded hour (a burst over both replicas, archived into shelves): walks see every task once, newest first, and filters agree with the full walk', async () => {
    const okSpider = (await a.api.post('/api/spiders', { name: 'burst-ok', cmd: 'true' })).body.id as string;
    const badSpider = (await a.api.post('/api/spiders', { name: 'burst-bad', cmd: 'exit 3' })).body.id as string;
    const made = await Promise.all(Array.from({ length: 48 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId: i % 3 ? okSpider : badSpider })));
    const ids = made.map((r) => r.body.tasks[0].id as string);
    const bad = new Set(ids.filter((_, i) => i % 3 === 0));
    await waitFor('the burst ended', async () => {
      const pages = await Promise.all([okSpider, badSpider].map(async (s) => (await a.api.get<TaskPage>(`/api/tasks?spiderId=${s}&size=100`)).body));
      return pages.every((p) => p.items.length === p.total && p.items.every((t) => t.status === 'finished' || t.status === 'error')) && pages[0].total + pages[1].total === 48;
    }, 90_000, 300);
    const { copies, inShelves } = await archivedCopies(ids);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(inShelves).toBeGreaterThan(24); // the read path below really crosses shelves

    const all = await walk('', 5);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(newestFirst(all));
    const burstInWalk = all.filter((id) => copies.has(id));
    expect(burstInWalk).toEqual(newestFirst(ids));
    const mine = (q: string, keep: (id: string) => boolean) => walk(q, 3).then((got) => expect(got).toEqual(all.filter((id) => copies.has(id) && keep(id))));
    await mine(`&spiderId=${badSpider}`, (id) => bad.has(id));
    await mine(`&spiderId=${okSpider}&status=finished`, (id) => !bad.has(id));
    const errors = await walk('&status=error', 4);
    expect(errors.filter((id) => copies.has(id))).toEqual(newestFirst([...bad]));
    const node = (await a.api.get(`/api/tasks/${ids[0]}`)).body.nodeId as string;
    const onNode = await walk(`&nodeId=${node}`, 7);
    expect(onNode.filter((id) => copies.has(id))).toEqual(newestFirst(ids));
    // Totals on the other replica too. A queue copy of a task that replica `a` moved stays in
    // `task_queue` until a's next sweep (2-10 s, task.repository.ts), and until then `b` counts
    // it as pending besides its ended count: tasks now end within that window, so wait it out.
    for (const [s, n] of [[okSpider, 32], [badSpider, 16]] as const) {
      await waitFor(`replica b's total of ${n} for spider ${s}`, async () => {
        const p = (await b.api.get<TaskPage>(`/api/tasks?spiderId=${s}&size=1`)).body;
        return (p.total === n && p.totalExact) || undefined;
      }, 30_000, 300);
    }
    // A task of a shelf is read by id from either replica.
    for (const id of [ids[47], ids[30]]) expect((await b.api.get(`/api/tasks/${id}`)).body.id).toBe(id);
  }, 120_000);

  it('archives written before this version (first shelf in the hour collection, plain ids) and now (every task on a shelf) list exactly, and an open task of a marks-only hour is listed once archived', async () => {
    const d = db.db(cluster.dbName);
    const sp = new ObjectId().toHexString();
    const [node1, node2] = [new ObjectId().toHexString(), new ObjectId().toHexString()];
    const base = { spiderId: sp, spiderVersion: 1, cmd: 'true', param: '', mode: 'random', nodeIds: [], labels: [], env: [], priority: 5, attempt: 1, maxRetries: 0, timeoutSec: 0, scheduleId: null, parentId: null, sync: null, attempts: [] };
    const ended = (id: string, i: number) => {
      const at = new ObjectId(id).getTimestamp();
      const status = i % 3 === 0 ? 'error' : 'finished';
      return { ...base, _id: new ObjectId(id), status, nodeId: i % 2 ? node1 : node2, exitCode: status === 'finished' ? 0 : 1, error: null, createdAt: at, finishedAt: at };
    };
    const secHex = (hoursAgo: number, plus: number) => (Math.floor((Date.now() - hoursAgo * 3_600_000) / 1000) + plus).toString(16).padStart(8, '0');
    const seeded: string[] = [];
    // Shape a, shelves of 4 (as main wrote them): counters 0-3 in the hour collection, 4-7 and 8-9 on shelves 1 and 2; two plain ObjectIds in the hour collection.
    const oldIds = Array.from({ length: 10 }, (_, c) => `${secHex(3, c)}c5a2a1b2c3${c.toString(16).padStart(6, '0')}`);
    const oldHour = hourOf(new ObjectId(oldIds[0]));
    await d.collection(`task_archive_${oldHour}`).insertMany([
      ...oldIds.slice(0, 4).map(ended),
      ...[0, 1].map((k) => ended(new ObjectId(Math.floor(new ObjectId(oldIds[0]).getTimestamp().getTime() / 1000) + 20 + k).toHexString(), 10 + k)),
      { _id: 'shelf:a1b2c3_1', shelfMark: true, shelf: 'a1b2c3_1', first: oldIds[4] },
      { _id: 'shelf:a1b2c3_2', shelfMark: true, shelf: 'a1b2c3_2', first: oldIds[8] },
    ] as never[]);
    await d.collection(`task_archive_${oldHour}_a1b2c3_1`).insertMany(oldIds.slice(4, 8).map((id, i) => ended(id, i + 4)) as never[]);
    await d.collection(`task_archive_${oldHour}_a1b2c3_2`).insertMany(oldIds.slice(8).map((id, i) => ended(id, i + 8)) as never[]);
    const oldPlain = (await d.collection(`task_archive_${oldHour}`).find({ spiderId: sp }).toArray()).map((t) => String(t._id)).filter((id) => !oldIds.includes(id));
    seeded.push(...oldIds, ...oldPlain);
    // Shape b (now): counters 0-9 on shelves 0, 1, 2; the hour collection holds only their marks.
    const newIds = Array.from({ length: 10 }, (_, c) => `${secHex(5, c)}c5b2d4e5f6${c.toString(16).padStart(6, '0')}`);
    const newHour = hourOf(new ObjectId(newIds[0]));
    await d.collection(`task_archive_${newHour}`).insertMany([0, 1, 2].map((n) => ({ _id: `shelf:d4e5f6_${n}`, shelfMark: true, shelf: `d4e5f6_${n}`, first: newIds[n * 4] })) as never[]);
    for (const n of [0, 1, 2]) await d.collection(`task_archive_${newHour}_d4e5f6_${n}`).insertMany(newIds.slice(n * 4, n * 4 + 4).map((id, i) => ended(id, n * 4 + i)) as never[]);
    seeded.push(...newIds);
    // An open task of that hour made before this version (a plain id: archived into the hour collection when it ends).
    const openId = new ObjectId(Math.floor(new ObjectId(newIds[9]).getTimestamp().getTime() / 1000) + 5);
    await d.collection('tasks').insertOne({ ...base, _id: openId, labels: [{ key: 'pool', value: 'nowhere' }], status: 'pending', nodeId: null, exitCode: null, error: null, createdAt: openId.getTimestamp(), finishedAt: null } as never);

    const docs = new Map<string, { status: string; nodeId: string | null }>([...oldIds, ...newIds].map((id, i) => [id, ended(id, i % 10)]));
    for (const t of await d.collection(`task_archive_${oldHour}`).find({ spiderId: sp }).toArray()) docs.set(String(t._id), { status: t.status, nodeId: t.nodeId });
    const want = (keep: (t: { status: string; nodeId: string | null }) => boolean) => newestFirst([...docs.entries()].filter(([, t]) => keep(t)).map(([id]) => id));

    // Both replicas see the hours written behind their back at their next listing (every 10 s).
    const everything = newestFirst([...seeded, openId.toHexString()]);
    for (const m of [a, b]) await waitFor(`${m.name} lists the seeded hours`, async () => (await walk(`&spiderId=${sp}`, 20, m)).length === everything.length, 30_000, 500);
    // Twice: the second walk reads the marks-only hour from each replica's copy of its marks.
    for (let round = 0; round < 2; round++) {
      expect(await walk(`&spiderId=${sp}`, 3)).toEqual(everything);
      expect(await walk(`&spiderId=${sp}&status=error`, 2)).toEqual(want((t) => t.status === 'error'));
      expect(await walk(`&spiderId=${sp}&nodeId=${node1}`, 4)).toEqual(want((t) => t.nodeId === node1));
      expect(await walk(`&spiderId=${sp}&status=finished`, 20)).toEqual(want((t) => t.status === 'finished'));
    }
    for (const id of [oldIds[2], oldIds[6], newIds[1], oldPlain[0]]) expect((await b.api.get(`/api/tasks/${id}`)).body.id).toBe(id);

    // The open task ends (cancelled): it goes to the hour collection of a marks-only hour, and every walk lists it once, as cancelled.
    expect((await b.api.post(`/api/tasks/${openId.toHexString()}/cancel`)).status).toBe(201);
    await waitFor('the cancelled task is archived', async () => (await d.collection(`task_archive_${newHour}`).countDocuments({ _id: openId })) === 1, 30_000, 200);
    for (let round = 0; round < 2; round++) {
      expect(await walk(`&spiderId=${sp}`, 3)).toEqual(newestFirst([...seeded, openId.toHexString()]));
      expect(await walk(`&spiderId=${sp}&status=cancelled`, 3)).toEqual([openId.toHexString()]);
    }
  }, 120_000);

  it('a replica SIGKILLed while tasks end (one close cut after its claim, one after its archive insert, both replayed) lists and counts every task once', async () => {
    const spider = (await a.api.post('/api/spiders', { name: 'cut', cmd: 'sleep 0.2' })).body.id as string;
    const before = await stats(b);
    // Both replicas armed (the worker reports to either): each holds the first close reaching each point until killed.
    const crashDir = (m: Master) => join(cluster.dir, `history-crash-points-${m.name}`);
    for (const m of [a, b]) {
      m.env.CRAWLNEST_TEST_CRASH_POINTS = 'after-close-claim,mid-archive-move';
      m.env.CRAWLNEST_TEST_CRASH_DIR = crashDir(m);
      await cluster.restartMaster(m, 'SIGTERM');
    }
    // A restarted replica makes ids afresh: its first 4 of the hour go to the hour collection. Four
    // tasks on each that no node takes use them up, so the tasks that end here are in shelves.
    const parked: string[] = [];
    for (const m of [a, b]) for (let i = 0; i < 4; i++) parked.push((await m.api.post('/api/tasks', { spiderId: spider, labels: { pool: 'nowhere' } })).body.tasks[0].id);
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).api.post('/api/tasks', { spiderId: spider })));
    const ids = made.map((r) => r.body.tasks[0].id as string);
    const held = (m: Master) => ['after-close-claim', 'mid-archive-move'].filter((p) => existsSync(join(crashDir(m), p)));
    await waitFor('closes held at both crash points', async () => new Set([...held(a), ...held(b)]).size === 2, 60_000, 50);
    for (const m of [a, b]) {
      delete m.env.CRAWLNEST_TEST_CRASH_POINTS;
      // The replica holding a close dies there; the other is restarted cleanly, disarmed.
      await cluster.restartMaster(m, held(m).length ? 'SIGKILL' : 'SIGTERM');
    }
    await waitFor('the 12 tasks ended after the replays', async () => {
      const p = (await b.api.get<TaskPage>(`/api/tasks?spiderId=${spider}&status=finished&size=100`)).body;
      return p.items.length === 12;
    }, 90_000, 300);
    for (const id of parked) expect((await b.api.post(`/api/tasks/${id}/cancel`)).status).toBe(201);
    for (const m of [a, b]) {
      await waitFor(`${m.name}: 12 more finished and 8 more cancelled, counted once`, async () => {
        const s = await stats(m);
        return s.finished === before.finished + 12 && s.cancelled === before.cancelled + 8;
      }, 30_000, 300);
    }
    const { copies, inShelves } = await archivedCopies([...ids, ...parked]);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // Every task of this version's ids is on a shelf (the hour collection holds only marks).
    expect(inShelves).toBe(ids.length + parked.length);
    const listed = await walk(`&spiderId=${spider}`, 3);
    expect(listed).toEqual(newestFirst([...ids, ...parked]));
    const p = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spider}&status=finished&size=1`)).body;
    expect(p.total).toBe(12);
  }, 240_000);

  it('retention removes ended tasks and their logs past 30 days, and keeps an open task of that hour', async () => {
    const d = db.db(cluster.dbName);
    const at = new Date(Date.now() - 40 * DAY_MS);
    const oldEnded = new ObjectId(Math.floor(at.getTime() / 1000));
    const oldOpen = new ObjectId(Math.floor(at.getTime() / 1000));
    const hour = hourOf(oldEnded);
    const base = { spiderId, spiderVersion: 1, cmd: 'true', param: '', mode: 'selected-nodes', labels: [], env: [], priority: 5, attempt: 1, maxRetries: 0, timeoutSec: 0, createdAt: at, scheduleId: null, parentId: null, sync: null, attempts: [] };
    await d.collection(`task_archive_${hour}`).insertOne({ ...base, _id: oldEnded, nodeIds: [], status: 'finished', nodeId: null, exitCode: 0, error: null, finishedAt: at });
    // One in a shelf of that hour, as a replica with shelves of 4 archives its 6th task of an hour: the shelf's mark in the hour, the task in the shelf.
    const inShelf = new ObjectId(oldEnded.toHexString().slice(0, 8) + 'c5a2abcdef000005');
    await d.collection(`task_archive_${hour}`).insertOne({ _id: 'shelf:abcdef_1' as never, shelfMark: true, shelf: 'abcdef_1', first: null });
    await d.collection(`task_archive_${hour}_abcdef_1`).insertOne({ ...base, _id: inShelf, nodeIds: [], status: 'finished', nodeId: null, exitCode: 0, error: null, finishedAt: at });
    expect((await a.api.get(`/api/tasks/${inShelf.toHexString()}`)).body.status).toBe('finished');
    // Counted like tasks this cluster ended, so the purge's decrement lands on a real count.
    await d.collection('task_counters').insertOne({ _id: 'e2e-import' as never, ended: { finished: 2 }, bySpider: { [spiderId]: { finished: 2 } }, byNode: {}, minutes: [] });
    // Waits for a label no node has: stays pending (a selected-nodes task would time out).
    await d.collection('tasks').insertOne({ ...base, _id: oldOpen, mode: 'random', labels: [{ key: 'pool', value: 'nowhere' }], nodeIds: [], status: 'pending', nodeId: null, exitCode: null, error: null, finishedAt: null });
    const line = (id: ObjectId) => ({ _id: `${id.toHexString()}:1:1`, taskId: id.toHexString(), attempt: 1, from: 1, to: 1, lines: [{ seq: 1, ts: at, stream: 'stdout', text: 'old' }] });
    await d.collection(`task_logs_${hour}`).insertMany([line(oldEnded), line(oldOpen)] as never[]);
    // Followed by cursor: this spider's tasks are the oldest shelves of a crowded hour, and a page may end at the time budget before reaching them.
    const recent = (await walk(`&spiderId=${spiderId}&status=finished`, 1))[0];

    await waitFor('the old ended task is gone', async () => (await b.api.get(`/api/tasks/${oldEnded.toHexString()}`)).status === 404, 60_000, 500);
    await waitFor('the old task of a shelf is gone', async () => (await b.api.get(`/api/tasks/${inShelf.toHexString()}`)).status === 404, 30_000, 500);
    expect(await d.collection(`task_logs_${hour}`).countDocuments({ taskId: oldEnded.toHexString() })).toBe(0);
    const open = await a.api.get(`/api/tasks/${oldOpen.toHexString()}`);
    expect(open.body.status).toBe('pending');
    expect((await a.api.get(`/api/tasks/${oldOpen.toHexString()}/logs`)).body.lines.map((l: { text: string }) => l.text)).toEqual(['old']);
    expect((await a.api.get(`/api/tasks/${recent}`)).status).toBe(200);
    expect((await a.api.get(`/api/tasks/${recent}/logs`)).body.lines.length).toBeGreaterThan(0);
    const spiderTotal = (await a.api.get<TaskPage>(`/api/tasks?spiderId=${spiderId}&status=finished&size=1`)).body.total;
    expect(spiderTotal).toBe((await walk(`&spiderId=${spiderId}&status=finished`, 1000)).length); // the removed task left the count too
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
