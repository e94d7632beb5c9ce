import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { isAlive } from './support/processes';
import { waitFor } from './support/wait';

type Task = {
  id: string;
  status: string;
  attempt: number;
  nodeId: string | null;
  error: string | null;
  exitCode: number | null;
  pendingReason: string | null;
  startedAt: string | null;
  attempts: { attempt: number; nodeId: string | null; status: string; error: string | null }[];
};

const alive = isAlive;

async function taskOf(m: Master, id: string): Promise<Task> {
  return (await m.api.get<Task>(`/api/tasks/${id}`)).body;
}

async function until(m: Master, id: string, what: string, ok: (t: Task) => boolean, timeoutMs = 20_000): Promise<Task> {
  return waitFor(`task ${id} ${what}`, async () => {
    const t = await taskOf(m, id);
    return ok(t) ? t : undefined;
  }, timeoutMs);
}

describe('task lifecycle: retries, cancel, timeout, priorities, expiry', () => {
  const cluster = new TestCluster('task-lifecycle');
  const masterEnv = { CRAWLNEST_NODE_TIMEOUT_MS: '2000', CRAWLNEST_ORPHAN_GRACE_MS: '1500', CRAWLNEST_PENDING_TIMEOUT_MS: '2500', CRAWLNEST_FENCE_MS: '0' };
  const workerEnv = { CRAWLNEST_KILL_GRACE_MS: '1000' };
  let a: Master;
  let b: Master;
  let spiderId: string;

  beforeAll(async () => {
    a = await cluster.startMaster(masterEnv);
    b = await cluster.startMaster(masterEnv);
    spiderId = (await a.api.post('/api/spiders', { name: 'life', cmd: 'true' })).body.id;
  });
  afterAll(() => cluster.stop());

  it('a task on a SIGKILLed worker goes abnormal, then runs and finishes on the other worker (maxRetries 1)', async () => {
    const w1 = await cluster.startWorker({ masters: [a], name: 'doomed', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=retry' } });
    const n1 = await cluster.waitNodeReady(a.api, 'doomed');
    // The task waits for a gate the test opens only after the kill: however slow the machine,
    // the first attempt cannot finish before its worker dies.
    const gate = join(cluster.dir, 'retry.gate');
    const created = await a.api.post('/api/tasks', {
      spiderId,
      cmd: 'while [ ! -f "$GATE" ]; do sleep 0.1; done; echo survived',
      env: { GATE: gate },
      maxRetries: 1,
      labels: { pool: 'retry' },
    });
    const id = created.body.tasks[0].id;
    await until(a, id, 'running on the first worker', (t) => t.status === 'running' && t.nodeId === n1);
    await cluster.startWorker({ masters: [b], name: 'rescuer', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=retry' } });
    const n2 = await cluster.waitNodeReady(a.api, 'rescuer');
    w1.proc.kill('SIGKILL');
    await w1.proc.exited;
    writeFileSync(gate, '');
    const t = await until(a, id, 'finished on the second worker', (x) => x.status === 'finished', 30_000);
    expect(t).toMatchObject({ nodeId: n2, attempt: 2, exitCode: 0 });
    expect(t.attempts).toEqual([expect.objectContaining({ attempt: 1, nodeId: n1, status: 'abnormal' })]);
    expect(t.attempts[0].error).toContain('went offline');
    const logs = (await a.api.get(`/api/tasks/${id}/logs`)).body;
    expect(logs.lines.map((l: { text: string }) => l.text)).toEqual(['survived']);
  });

  it('without retries left the task stays abnormal with the reason', async () => {
    const w = await cluster.startWorker({ masters: [a], name: 'lonely', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=lonely' } });
    await cluster.waitNodeReady(a.api, 'lonely');
    const id = (await a.api.post('/api/tasks', { spiderId, cmd: 'sleep 30', labels: { pool: 'lonely' } })).body.tasks[0].id;
    await until(a, id, 'running', (t) => t.status === 'running');
    w.proc.kill('SIGKILL');
    const t = await until(a, id, 'abnormal', (x) => x.status === 'abnormal', 20_000);
    expect(t.error).toContain('went offline');
    const stats = (await a.api.get('/api/stats')).body;
    expect(stats.tasks.abnormal).toBeGreaterThanOrEqual(1);
  });

  it('cancel through the other replica stops a tree whose grandchild ignores SIGTERM, within grace + 1 s', async () => {
    await cluster.startWorker({ masters: [a], name: 'canceller', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=cancel' } });
    await cluster.waitNodeReady(a.api, 'canceller');
    const pidFile = join(cluster.dir, 'tree.pids');
    const cmd = `echo $$ >> "$PIDFILE"; (trap '' TERM; sleep 300 & echo $! >> "$PIDFILE"; wait) & echo $! >> "$PIDFILE"; wait`;
    const id = (await a.api.post('/api/tasks', { spiderId, cmd, env: { PIDFILE: pidFile }, labels: { pool: 'cancel' } })).body.tasks[0].id;
    await until(a, id, 'running', (t) => t.status === 'running');
    const pids = await waitFor('three pids written', () => {
      try {
        const p = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
        return p.length >= 3 ? p : undefined;
      } catch {
        return undefined;
      }
    });
    expect(pids.every(alive)).toBe(true);
    const t0 = Date.now();
    const r = await b.api.post(`/api/tasks/${id}/cancel`); // the worker's stream is on a
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('cancelled');
    // Goal: grace (1 s) + 1 s, plus one heartbeat and stale-run period to cross replicas.
    // The wait is generous so a loaded machine does not flake; the log line shows the real time.
    await waitFor('every process of the tree gone', () => pids.every((p) => !alive(p)), 8000);
    process.stdout.write(`cross-replica cancel: process tree gone ${Date.now() - t0} ms after the request\n`);
    expect((await b.api.post(`/api/tasks/${id}/cancel`)).status).toBe(409);
  });

  it('a timeout ends the task in error with the reason and stops its processes', async () => {
    await cluster.startWorker({ masters: [a], name: 'slow', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=slow' } });
    await cluster.waitNodeReady(a.api, 'slow');
    const id = (await a.api.post('/api/tasks', { spiderId, cmd: 'sleep 60', timeoutSec: 1, labels: { pool: 'slow' } })).body.tasks[0].id;
    const t = await until(a, id, 'error', (x) => x.status === 'error', 15_000);
    expect(t.error).toBe('timed out after 1 s');
  });

  it('higher priority runs first, FIFO within a priority, never more than maxRunners at once', async () => {
    await cluster.startWorker({ masters: [a], name: 'single', env: { ...workerEnv, CRAWLNEST_LABELS: 'pool=prio', CRAWLNEST_MAX_RUNNERS: '1' } });
    await cluster.waitNodeReady(a.api, 'single');
    const order = join(cluster.dir, 'order.txt');
    const blocker = (await a.api.post('/api/tasks', { spiderId, cmd: 'sleep 1', labels: { pool: 'prio' } })).body.tasks[0].id;
    await until(a, blocker, 'running', (t) => t.status === 'running');
    const mk = async (name: string, priority: number) =>
      (await a.api.post('/api/tasks', { spiderId, cmd: `echo ${name} >> "${order}"`, priority, labels: { pool: 'prio' } })).body.tasks[0].id;
    const ids = [await mk('low1', 2), await mk('high1', 9), await mk('low2', 2), await mk('high2', 9), await mk('mid', 5)];
    for (const id of ids) await until(a, id, 'finished', (t) => t.status === 'finished');
    expect(readFileSync(order, 'utf8').trim().split('\n')).toEqual(['high1', 'high2', 'mid', 'low1', 'low2']);
  });

  it('a selected-nodes task for an unavailable node shows why it waits, then errors past the pending timeout', async () => {
    const w = await cluster.startWorker({ masters: [a], name: 'gone' });
    const id0 = await cluster.waitNodeReady(a.api, 'gone');
    await w.proc.stop();
    await waitFor('node offline', async () => (await a.api.get(`/api/nodes/${id0}`)).body.status === 'offline');
    const id = (await a.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [id0] })).body.tasks[0].id;
    const pending = await taskOf(a, id);
    expect(pending.status).toBe('pending');
    expect(pending.pendingReason).toBe('no matching node can take tasks: gone (offline)');
    const t = await until(a, id, 'error', (x) => x.status === 'error', 15_000);
    expect(t.error).toContain('selected nodes unavailable');
  });
});

describe('logs over Server-Sent Events', () => {
  const cluster = new TestCluster('sse');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    await cluster.startWorker({ masters: [m], name: 'sse' });
    await cluster.waitNodeReady(m.api, 'sse');
  });
  afterAll(() => cluster.stop());

  it('streams every line as it is stored, then an end event', async () => {
    const spiderId = (await m.api.post('/api/spiders', { name: 'sse', cmd: 'true' })).body.id;
    const cmd = 'i=1; while [ $i -le 30 ]; do echo "tick $i"; i=$((i+1)); sleep 0.02; done';
    const id = (await m.api.post('/api/tasks', { spiderId, cmd })).body.tasks[0].id;
    const res = await fetch(`${m.api.baseUrl}/api/tasks/${id}/logs/stream`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const body = await res.text(); // the server ends the stream when the task ends
    const lines = body.split('\n\n').filter((e) => e.includes('event: line')).map((e) => JSON.parse(e.split('data: ')[1]) as { seq: number; text: string });
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(lines[29].text).toBe('tick 30');
    expect(body).toContain('event: end\ndata: {"status":"finished"}');
    expect((await fetch(`${m.api.baseUrl}/api/tasks/0123456789abcdef01234567/logs/stream`, { headers: { authorization: `Bearer ${cluster.apiToken}` } })).status).toBe(404);
  });

  it('opens the stream at once for a task that has printed nothing yet', async () => {
    const spiderId = (await m.api.post('/api/spiders', { name: 'silent', cmd: 'true' })).body.id;
    const id = (await m.api.post('/api/tasks', { spiderId, cmd: 'sleep 3; echo late' })).body.tasks[0].id;
    const t0 = Date.now();
    const res = await fetch(`${m.api.baseUrl}/api/tasks/${id}/logs/stream`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
    // The headers came before the first line (printed after 3 s), not with it.
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"text":"late"');
  });
});

describe('schedules', () => {
  const cluster = new TestCluster('schedules');
  let a: Master;
  let b: Master;
  beforeAll(async () => {
    a = await cluster.startMaster();
    b = await cluster.startMaster();
    await cluster.startWorker({ masters: [a], name: 'cron', env: { CRAWLNEST_MAX_RUNNERS: '8' } });
    await cluster.waitNodeReady(a.api, 'cron');
  });
  afterAll(() => cluster.stop());

  it('refuses a bad cron expression with 400 naming it', async () => {
    const spiderId = (await a.api.post('/api/spiders', { name: 'x', cmd: 'true' })).body.id;
    const r = await a.api.post('/api/schedules', { spiderId, cron: 'every minute please' });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('cron');
  });

  it('a schedule every second on two replicas for 10 s creates one task per tick', async () => {
    const spiderId = (await a.api.post('/api/spiders', { name: 'tick', cmd: 'true' })).body.id;
    const s = await a.api.post('/api/schedules', { spiderId, cron: '* * * * * *' });
    expect(s.status).toBe(201);
    // Let both replicas load it (reload every 2 s), then count over 10 s.
    await waitFor('b sees the schedule', async () => (await b.api.get(`/api/schedules/${s.body.id}`)).status === 200);
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await b.api.patch(`/api/schedules/${s.body.id}`, { enabled: false })).body.enabled).toBe(false);
    await new Promise((r) => setTimeout(r, 3000)); // both replicas drop the job
    const tasks = (await a.api.get(`/api/tasks?spiderId=${spiderId}&size=1000`)).body.items as { scheduledFor: string; scheduleId: string }[];
    expect(tasks.every((t) => t.scheduleId === s.body.id)).toBe(true);
    // A tick's identity is its nominal time (scheduledFor), not when its task was created.
    const ticks = tasks.map((t) => t.scheduledFor);
    expect(ticks.every((t) => t !== null && new Date(t).getMilliseconds() === 0)).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length); // no tick created two tasks
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    expect(tasks.length).toBeLessThanOrEqual(16);
    const after = tasks.length;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await a.api.get(`/api/tasks?spiderId=${spiderId}&size=1000`)).body.total).toBe(after); // disabled: no more
  });
});
