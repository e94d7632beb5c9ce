import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

type LogPage = { lines: { seq: number; text: string }[]; nextAfter: number; done: boolean };

describe('exactly once: two replicas, four workers, 2000 tasks', () => {
  const cluster = new TestCluster('exactly-once');
  let a: Master;
  let b: Master;
  beforeAll(async () => {
    a = await cluster.startMaster();
    b = await cluster.startMaster();
    for (const [i, m] of [a, a, b, b].entries()) await cluster.startWorker({ masters: [m], name: `eo${i}`, env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    for (let i = 0; i < 4; i++) await cluster.waitNodeReady(a.api, `eo${i}`);
  });
  afterAll(() => cluster.stop());

  it('every task id is appended to the file exactly once', async () => {
    const out = join(cluster.dir, 'ran.txt');
    const spiderId = (await a.api.post('/api/spiders', { name: 'eo', cmd: `echo "$CRAWLNEST_TASK_ID" >> "${out}"` })).body.id;
    const ids: string[] = [];
    const N = 2000;
    // Created as a stream, half through each replica, keeping at most ~200 waiting: on the
    // embedded FerretDB every write scans the open-task collection, so a backlog of 2000
    // costs minutes of CPU that prove nothing more about exactly-once.
    for (let i = 0; i < N; i += 50) {
      await waitFor('backlog under 150', async () => (await a.api.get('/api/stats')).body.tasks.pending < 150, 120_000, 100);
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, N - i) }, (_, j) => ((i + j) % 2 ? b : a).api.post('/api/tasks', { spiderId })),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        ids.push(r.body.tasks[0].id);
      }
    }
    await waitFor('all 2000 finished', async () => {
      const s = (await a.api.get('/api/stats')).body;
      return s.tasks.finished === N ? s : undefined;
      // ~380 s on an idle 2-core machine (CI); the slack is for a loaded one (issue 13 is about this speed).
    }, 860_000, 1000);
    const ran = readFileSync(out, 'utf8').trim().split('\n');
    const counts = new Map<string, number>();
    for (const id of ran) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(ran).toHaveLength(N);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(ran)).toEqual(new Set(ids));
    const stats = (await b.api.get('/api/stats')).body;
    expect(stats).toMatchObject({ tasks: { pending: 0, assigned: 0, running: 0, error: 0, abnormal: 0 }, stuckPending: 0 });
  }, 900_000);
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
