import mongoose from 'mongoose';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { isAlive } from './support/processes';
import { Task, taskEnded } from './support/spider-tree';
import { waitFor } from './support/wait';

type LogLine = { msg?: string; phase?: string; [k: string]: unknown };
type LogsPage = { lines: { seq: number; text: string }[] };

/** The JSON lines of a process's log (the master's banner and other plain text skipped). */
function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

async function task(m: Master, id: string): Promise<Task> {
  return (await m.api.get(`/api/tasks/${id}`)).body;
}

async function logTexts(m: Master, id: string): Promise<string[]> {
  return (await m.api.get<LogsPage>(`/api/tasks/${id}/logs?limit=10000`)).body.lines.map((l) => l.text);
}

/** `n` numbered lines, `sleep` seconds apart. */
const linesCmd = (tag: string, n: number, sleep: number) => `i=1; while [ $i -le ${n} ]; do echo "${tag} $i"; sleep ${sleep}; i=$((i+1)); done`;
const expectedLines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`);

describe('graceful shutdown (REL-006)', () => {
  const cluster = new TestCluster('graceful-shutdown');
  let a: Master;
  let spiderId: string;

  beforeAll(async () => {
    a = await cluster.startMaster();
    spiderId = (await a.api.post('/api/spiders', { name: 'shutdown', cmd: 'true' })).body.id;
  });
  afterAll(() => cluster.stop());

  it('a SIGTERMed worker takes no new task, lets a short one finish with every log line, hands a long one back with the reason, and exits 0 within 20 s', async () => {
    const w = await cluster.startWorker({
      masters: [a],
      name: 'drainer',
      env: { CRAWLNEST_LABELS: 'pool=drain', CRAWLNEST_DRAIN_MS: '4000', CRAWLNEST_KILL_GRACE_MS: '1000' },
    });
    const nodeId = await cluster.waitNodeReady(a.api, 'drainer');
    const create = async (cmd: string) => (await a.api.post('/api/tasks', { spiderId, cmd, labels: { pool: 'drain' } })).body.tasks[0].id as string;
    const short = await create(linesCmd('short', 20, 0.1));
    // Its first attempt outlasts the drain; the one after the hand-back ends at once.
    const long = await create('echo "started $CRAWLNEST_TASK_ATTEMPT"; [ "$CRAWLNEST_TASK_ATTEMPT" = 1 ] && sleep 120; echo done');
    await waitFor('both tasks running', async () => (await task(a, short)).status === 'running' && (await task(a, long)).status === 'running');

    const t0 = Date.now();
    w.proc.kill('SIGTERM');
    // The worker says at once that it takes nothing more; a task created then waits.
    await waitFor('node no longer task-ready', async () => {
      const n = (await a.api.get(`/api/nodes/${nodeId}`)).body;
      return n.taskReady === false;
    }, 5000, 20);
    const later = await create('echo later');

    const exit = await w.proc.exited;
    const exitMs = Date.now() - t0;
    console.log(`worker drain: exit ${exit.code} after ${exitMs} ms (drain window 4000 ms, kill grace 1000 ms)`);
    expect(exit.code).toBe(0);
    expect(exitMs).toBeLessThan(20_000);

    const s = await taskEnded(a.api, short, 10_000);
    expect(s.status).toBe('finished');
    expect(await logTexts(a, short)).toEqual(expectedLines('short', 20));
    // Handed back (issue 20): pending again as attempt 2, the reason in its attempts.
    const l = (await a.api.get(`/api/tasks/${long}`)).body;
    expect(l).toMatchObject({ status: 'pending', attempt: 2 });
    expect(l.attempts[0]).toMatchObject({ attempt: 1, nodeId, status: 'pending', handedBack: true });
    expect(l.attempts[0].error).toMatch(/worker shutting down.*drain window/);
    // Not run, not lost: both run once another worker of that pool comes.
    expect((await task(a, later)).status).toBe('pending');
    await cluster.startWorker({ masters: [a], name: 'successor', env: { CRAWLNEST_LABELS: 'pool=drain' } });
    const t = await taskEnded(a.api, later, 30_000);
    expect(t.status).toBe('finished');
    expect(await logTexts(a, later)).toEqual(['later']);
    expect((await taskEnded(a.api, long, 30_000)).status).toBe('finished');
    expect(await logTexts(a, long)).toEqual(['started 2', 'done']);

    const lines = jsonLines(w.proc.output());
    const drained = lines.find((x) => x.msg === 'drained');
    expect(drained).toMatchObject({ finished: 1, handedBack: 1, cancelled: 0 });
  }, 90_000);

  it('a SIGTERMed master closes HTTP, then gRPC, then the database within 30 s; its worker moves to the other replica', async () => {
    const b = await cluster.startMaster();
    const victim = await cluster.startMaster();
    await cluster.startWorker({ masters: [victim, b], name: 'mover', env: { CRAWLNEST_LABELS: 'pool=move' } });
    const nodeId = await cluster.waitNodeReady(victim.api, 'mover');
    const id = (await b.api.post('/api/tasks', { spiderId, cmd: linesCmd('move', 40, 0.1), labels: { pool: 'move' } })).body.tasks[0].id as string;
    await waitFor('task running', async () => (await task(b, id)).status === 'running');
    // A log follower on the stopping master.
    const follower = fetch(`http://127.0.0.1:${victim.httpPort}/api/tasks/${id}/logs/stream`, {
      headers: { authorization: `Bearer ${cluster.apiToken}` },
    }).then(async (res) => {
      const reader = res.body!.getReader();
      for (;;) {
        try {
          if ((await reader.read()).done) return 'ended';
        } catch {
          return 'cut';
        }
      }
    });

    const t0 = Date.now();
    victim.proc.kill('SIGTERM');
    const exit = await victim.proc.exited;
    const exitMs = Date.now() - t0;
    console.log(`master shutdown: exit ${exit.code} after ${exitMs} ms`);
    expect(exit.code).toBe(0);
    expect(exitMs).toBeLessThan(30_000);
    // The follower is ended by the master at a line boundary, not cut at the end of the grace.
    expect(await follower).toBe('ended');

    const phases = jsonLines(victim.proc.output()).filter((x) => x.msg === 'shutdown phase done');
    console.log(`master shutdown phases: ${phases.map((p) => `${p.phase} ${p.ms} ms`).join(', ')}`);
    expect(phases.map((p) => p.phase)).toEqual(['http', 'grpc', 'app+database']);
    expect(phases[0]).toMatchObject({ cut: false });
    expect(phases[1]).toMatchObject({ controlStreams: 1, forced: false });

    // The worker went on with the other replica: the running task finished with all its lines.
    await cluster.waitNodeReady(b.api, 'mover');
    const t = await taskEnded(b.api, id, 30_000);
    expect(t.status).toBe('finished');
    expect(await logTexts(b, id)).toEqual(expectedLines('move', 40));
    const n = (await b.api.get(`/api/nodes/${nodeId}`)).body;
    expect(n.status).toBe('online');
  }, 90_000);

  it('a worker told to stop while its master is gone exits by its deadline, leaves no task process, and the task is retried once the master is back', async () => {
    const m = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '2000', CRAWLNEST_FENCE_MS: '0' });
    const w = await cluster.startWorker({
      masters: [m],
      name: 'stranded',
      env: { CRAWLNEST_LABELS: 'pool=lost', CRAWLNEST_DRAIN_MS: '1000', CRAWLNEST_KILL_GRACE_MS: '1000' },
    });
    await cluster.waitNodeReady(m.api, 'stranded');
    const pids = join(cluster.dir, 'lost.pids');
    const gate = join(cluster.dir, 'lost.gate');
    const cmd = `echo $$ >> "$PIDS"; if [ -f "$GATE" ]; then echo done; else sleep 600; fi`;
    const id = (await m.api.post('/api/tasks', { spiderId, cmd, env: { PIDS: pids, GATE: gate }, maxRetries: 1, labels: { pool: 'lost' } })).body.tasks[0].id as string;
    await waitFor('task running', async () => (await task(m, id)).status === 'running');

    m.proc.kill('SIGKILL');
    await m.proc.exited;
    const t0 = Date.now();
    w.proc.kill('SIGTERM');
    const exit = await w.proc.exited;
    const exitMs = Date.now() - t0;
    console.log(`worker drain without a master: exit ${exit.code} after ${exitMs} ms (deadline = drain 1000 + kill grace 1000 + 3000 ms)`);
    expect(exit.code).toBe(1); // its reports could not be delivered: it says so
    expect(exitMs).toBeLessThan(5000 + 3000);
    const firstPid = Number(readFileSync(pids, 'utf8').trim().split('\n')[0]);
    expect(isAlive(firstPid)).toBe(false);

    writeFileSync(gate, '');
    await cluster.restartMaster(m);
    await cluster.startWorker({ masters: [m], name: 'heir', env: { CRAWLNEST_LABELS: 'pool=lost' } });
    const t = await taskEnded(m.api, id, 60_000);
    expect(t.status).toBe('finished');
    expect(await logTexts(m, id)).toEqual(['done']);
    const full = (await m.api.get(`/api/tasks/${id}`)).body;
    expect(full.attempts[0]).toMatchObject({ attempt: 1, status: 'abnormal' });
  }, 120_000);

  it('a dispatch claim left by a master killed before it assigned the task does not strand the task', async () => {
    const m = await cluster.startMaster({ CRAWLNEST_ACK_TIMEOUT_MS: '1500' });
    const id = (await m.api.post('/api/tasks', { spiderId, cmd: 'echo rescued', labels: { pool: 'stranded' } })).body.tasks[0].id as string;
    // Exactly what a SIGKILL between the claim insert and the assignment write leaves behind.
    const db = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName, retryWrites: false }).asPromise();
    try {
      await db.collection<{ _id: string; by: string; at: Date }>('task_claims').insertOne({ _id: `${id}:1`, by: 'killed-replica', at: new Date() });
    } finally {
      await db.close();
    }
    await cluster.startWorker({ masters: [m], name: 'rescuer', env: { CRAWLNEST_LABELS: 'pool=stranded' } });
    const t = await taskEnded(m.api, id, 30_000);
    expect(t.status).toBe('finished');
    expect(await logTexts(m, id)).toEqual(['rescued']);
    const full = (await m.api.get(`/api/tasks/${id}`)).body;
    expect(full.attempt).toBe(2);
    expect(full.attempts[0].error).toContain('dispatch interrupted');
  }, 60_000);

  it('three rapid restart cycles of the master and the workers lose no task and no log line', async () => {
    // The orphan grace is a cluster-wide setting: the replicas left by the tests above (10 s and
    // 2 s graces) would abandon the tasks of a worker whose master takes longer than that to
    // restart (a master start took 16 s on a loaded machine), so they leave, and the restarting
    // master gets a grace (and with it a fence of 25 s) that a slow start stays inside.
    await Promise.all(cluster.masters.map((r) => r.proc.stop()));
    const m = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '30000' });
    const workerEnv = { CRAWLNEST_LABELS: 'pool=cycle', CRAWLNEST_MAX_RUNNERS: '3', CRAWLNEST_DRAIN_MS: '15000' };
    const names = ['cycle-a', 'cycle-b'];
    const workers = await Promise.all(names.map((name) => cluster.startWorker({ masters: [m], name, env: workerEnv })));
    for (const name of names) await cluster.waitNodeReady(m.api, name);

    const ids: string[] = [];
    const createBatch = async (cycle: number) => {
      for (let i = 0; i < 6; i++) {
        const r = await m.api.post('/api/tasks', { spiderId, cmd: linesCmd(`c${cycle}t${i}`, 15, 0.1), labels: { pool: 'cycle' } });
        expect(r.status).toBe(201);
        ids.push(r.body.tasks[0].id);
      }
    };

    for (let cycle = 1; cycle <= 3; cycle++) {
      await createBatch(cycle);
      await waitFor(`cycle ${cycle}: some tasks running`, async () => (await m.api.get('/api/tasks?status=running')).body.total > 0);
      // The master restarts (SIGTERM) while tasks run, and one worker restarts right after it.
      await cluster.restartMaster(m, 'SIGTERM');
      const i = cycle % 2;
      await workers[i].proc.stop(25_000);
      workers[i] = await cluster.startWorker({ masters: [m], name: names[i], workspace: workers[i].workspace, env: workerEnv });
      await cluster.waitNodeReady(m.api, names[i], 30_000);
    }

    for (const [n, id] of ids.entries()) {
      const t = await taskEnded(m.api, id, 60_000).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${JSON.stringify((await m.api.get(`/api/tasks/${id}`)).body)}`);
      });
      const tag = `c${Math.floor(n / 6) + 1}t${n % 6}`;
      // On a miss, the whole task (attempts and their errors) says which step lost it.
      const detail = t.status === 'finished' ? undefined : (await m.api.get(`/api/tasks/${id}`)).body;
      expect({ tag, status: t.status, detail }).toEqual({ tag, status: 'finished', detail: undefined });
      expect(await logTexts(m, id)).toEqual(expectedLines(tag, 15));
    }
  }, 240_000);
});
