import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type LogPage = { lines: { seq: number; text: string }[]; nextAfter: number; done: boolean };

/**
 * The batched path under a replica crash: creates arrive in bursts of 100 at once (the create
 * batching and the queue collection take them), spread over two replicas, and replica `a` is
 * SIGKILLed when 40 % are created, with tasks waiting, assigned and running on it, then
 * restarted. Its workers fail over to `b` and back. Each task must run exactly once.
 */
describe('exactly once: two replicas, four workers, 5000 tasks in bursts, a replica SIGKILLed mid-way', () => {
  const cluster = new TestCluster('exactly-once');
  let a: Master;
  let b: Master;
  beforeAll(async () => {
    a = await cluster.startMaster();
    b = await cluster.startMaster();
    for (const [i, [m, other]] of [[a, b], [a, b], [b, a], [b, a]].entries()) {
      await cluster.startWorker({ masters: [m, other], name: `eo${i}`, env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    }
    for (let i = 0; i < 4; i++) await cluster.waitNodeReady(a.api, `eo${i}`);
  });
  afterAll(() => cluster.stop());

  it('every task runs exactly once', async () => {
    // Each run leaves its own file (mktemp: a unique name per run), so a task run twice leaves
    // two. Appends from 16 runners to one shared file would also test the filesystem's O_APPEND.
    const out = join(cluster.dir, 'ran');
    mkdirSync(out);
    const spiderId = (await a.api.post('/api/spiders', { name: 'eo', cmd: `mktemp "${out}/$CRAWLNEST_TASK_ID.XXXXXX" > /dev/null` })).body.id;
    const ids: string[] = [];
    const N = 5000;
    const BURST = 100;
    let aUp = true;
    let restarting: Promise<void> | undefined;
    for (let i = 0; i < N; i += BURST) {
      if (i === 0.4 * N) {
        restarting = cluster.restartMaster(a, 'SIGKILL').then(() => {
          aUp = true;
        });
        aUp = false;
      }
      // A backlog of a few hundred keeps every part busy without making the run longer.
      await waitFor('backlog under 400', async () => (await b.api.get('/api/stats')).body.tasks.pending < 400, 300_000, 200);
      const batch = await Promise.all(
        Array.from({ length: Math.min(BURST, N - i) }, (_, j) => ((i + j) % 2 && aUp ? a : b).api.post('/api/tasks', { spiderId })),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        ids.push(r.body.tasks[0].id);
      }
    }
    await restarting;
    const finished = await waitFor('all 5000 finished', async () => {
      const s = (await b.api.get('/api/stats')).body;
      return s.tasks.finished === N ? s : undefined;
    }, 1_100_000, 1000);
    expect(finished.tasks.finished).toBe(N);
    const ran = readdirSync(out).map((f) => f.split('.')[0]);
    // A mismatch names the tasks counted finished that left no file, with their records.
    const ranSet = new Set(ran);
    const missing = ids.filter((id) => !ranSet.has(id));
    if (missing.length) {
      const records = await Promise.all(missing.map(async (id) => (await b.api.get(`/api/tasks/${id}`)).body));
      const stats = (await b.api.get('/api/stats')).body.tasks;
      console.log(`finished ${finished.tasks.finished} but ${missing.length} tasks left no file; stats now ${JSON.stringify(stats)}:\n${JSON.stringify(records, null, 1)}`);
    }
    const counts = new Map<string, number>();
    for (const id of ran) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(ran).toHaveLength(N);
    expect(new Set(ran)).toEqual(new Set(ids));
    // The SIGKILL lost `a`'s list of queue copies to delete (tasks it dispatched in its last
    // ~2 s, see TaskRepository's queue sweep): they read as pending until a dispatcher's full
    // pending read (every 30 s) meets them, finds them ended and deletes them.
    const settled = await waitFor('no task left pending', async () => {
      const s = (await a.api.get('/api/stats')).body;
      return s.tasks.pending === 0 ? s : undefined;
    }, 90_000, 1000);
    expect(settled).toMatchObject({ tasks: { pending: 0, assigned: 0, running: 0, error: 0, abnormal: 0 }, stuckPending: 0 });
  }, 1_200_000);
});

describe('a master restart mid-task loses no log line', () => {
  const cluster = new TestCluster('log-durability');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'chatty' });
    await cluster.waitNodeReady(m.api, 'chatty');
  });
  afterAll(() => cluster.stop());

  it('a task printing 200k numbered lines finishes with seq 1..200000 and every line once', async () => {
    const N = 200_000;
    const spiderId = (await m.api.post('/api/spiders', { name: 'chatty', cmd: `seq 1 ${N}` })).body.id;
    const id = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id;
    await waitFor('some lines stored', async () => (await m.api.get<LogPage>(`/api/tasks/${id}/logs?after=5000&limit=1`)).body.lines.length > 0, 60_000, 100);
    await cluster.restartMaster(m, 'SIGKILL');
    await waitFor('task finished', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'finished', 240_000, 500);
    let after = 0;
    let expected = 1;
    for (;;) {
      const page = (await m.api.get<LogPage>(`/api/tasks/${id}/logs?after=${after}&limit=10000`)).body;
      for (const l of page.lines) {
        if (l.seq !== expected || l.text !== String(expected)) throw new Error(`line ${expected}: got seq ${l.seq} text ${l.text}`);
        expected++;
      }
      after = page.nextAfter;
      if (page.done) break;
    }
    expect(expected - 1).toBe(N);
  }, 600_000);
});
