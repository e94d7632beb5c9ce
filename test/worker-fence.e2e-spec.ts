import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster, Worker } from './support/cluster';
import { isAlive } from './support/processes';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait';

/**
 * Appends `<attempt> <pid> <start> <now>` every 100 ms while it runs, then exits 0 after
 * RUN_SEC: the last line of a pid is (within 100 ms) when that copy stopped.
 */
const LEDGER_PY = `
import os, time
ledger, attempt, pid = os.environ['LEDGER'], os.environ['CRAWLNEST_TASK_ATTEMPT'], os.getpid()
start, run_sec = time.time(), float(os.environ['RUN_SEC'])
while True:
    now = time.time()
    with open(ledger, 'a') as f:
        f.write(f"{attempt} {pid} {start:.3f} {now:.3f}\\n")
    if now - start >= run_sec:
        break
    time.sleep(0.1)
print('done', flush=True)
`;

type Interval = { attempt: number; pid: number; start: number; end: number };

/** One interval per copy (pid): from its start to its last ledger line. */
function readLedger(path: string): Interval[] {
  const byPid = new Map<number, Interval>();
  for (const line of readFileSync(path, 'utf8').trim().split('\n')) {
    const [attempt, pid, start, end] = line.split(' ').map(Number);
    const i = byPid.get(pid) ?? { attempt, pid, start, end };
    i.end = Math.max(i.end, end);
    byPid.set(pid, i);
  }
  return [...byPid.values()].sort((a, b) => a.start - b.start);
}

/** The task once finished; throws as soon as it ends otherwise, naming its error. */
async function finished(m: Master, id: string, deadlineMs: number): Promise<{ attempt: number; nodeId: string; attempts: { attempt: number; status: string; error?: string }[] }> {
  return waitFor('task finished', async () => {
    const t = (await m.api.get(`/api/tasks/${id}`)).body;
    if (['error', 'cancelled', 'abnormal'].includes(t.status)) throw new Error(`task ended ${t.status}: ${t.error}`);
    return t.status === 'finished' ? t : undefined;
  }, deadlineMs, 250);
}

describe('fence: a worker cut off from the master stops its task before the master runs it elsewhere', () => {
  const cluster = new TestCluster('fence');
  const proxies: TcpProxy[] = [];
  let m: Master;
  const workers: Worker[] = [];
  beforeAll(async () => {
    // The defaults under test: fence 5 s, node timeout 2.5 s, orphan grace 10 s.
    m = await cluster.startMaster();
    for (const name of ['fence-a', 'fence-b']) {
      const p = await TcpProxy.start(m.grpcPort);
      proxies.push(p);
      workers.push(await cluster.startWorker({ masters: [p.address], name, env: { CRAWLNEST_KILL_GRACE_MS: '1000' } }));
    }
    for (const w of workers) await cluster.waitNodeReady(m.api, w.name, 60_000);
  });
  afterAll(async () => {
    for (const p of proxies) p.restore();
    await cluster.stop();
    await Promise.all(proxies.map((p) => p.close()));
  });

  it('under a 25 s blackhole no two copies of the task overlap, and it ends finished on the other worker', async () => {
    const ledger = join(cluster.dir, 'ledger.txt');
    const spiderId = (await m.api.post('/api/spiders', { name: 'ledger', cmd: 'python3 ledger.py' })).body.id;
    expect((await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'ledger.py': LEDGER_PY })).status).toBe(200);
    const created = await m.api.post('/api/tasks', { spiderId, maxRetries: 1, env: { LEDGER: ledger, RUN_SEC: '20' } });
    expect(created.status).toBe(201);
    const id: string = created.body.tasks[0].id;
    const first = await waitFor('attempt 1 running and writing its ledger', async () => {
      const t = (await m.api.get(`/api/tasks/${id}`)).body;
      return t.status === 'running' && readLedger(ledger).length === 1 ? t : undefined;
    }, 30_000, 100);
    const nodes: { id: string; name: string }[] = (await m.api.get('/api/nodes')).body;
    const cutName = nodes.find((n) => n.id === first.nodeId)?.name;
    const cutIndex = workers.findIndex((w) => w.name === cutName);
    expect(cutIndex).toBeGreaterThanOrEqual(0);
    const cutWorker = workers[cutIndex];

    const cutAt = Date.now();
    proxies[cutIndex].blackhole();
    // The scenario's partition length, not a wait for a condition.
    const restored = new Promise<void>((r) => setTimeout(() => (proxies[cutIndex].restore(), r()), 25_000));

    const done = await finished(m, id, 90_000);
    expect(done.attempt).toBe(2);
    expect(done.nodeId).not.toBe(first.nodeId);
    expect(done.attempts[0]).toMatchObject({ attempt: 1, nodeId: first.nodeId, status: 'abnormal' });

    // The link comes back: the cut-off worker delivers its fenced attempt's report, which is
    // refused (stale); the task stays finished on the other node.
    await restored;
    await cluster.waitNodeReady(m.api, cutWorker.name, 60_000);
    await waitFor('the fenced report answered', () => /"accepted":false|the master refused the attempt/.test(cutWorker.proc.output()), 30_000, 250);
    expect((await m.api.get(`/api/tasks/${id}`)).body).toMatchObject({ status: 'finished', attempt: 2, nodeId: done.nodeId });

    const copies = readLedger(ledger);
    expect(copies.map((c) => c.attempt)).toEqual([1, 2]);
    const [a1, a2] = copies;
    process.stdout.write(`fence: cut → fenced copy's last line ${Math.round(a1.end * 1000 - cutAt)} ms; cut → re-run started ${Math.round(a2.start * 1000 - cutAt)} ms\n`);
    // Stopped by the fence (≈ 5 s after the last ping), before the re-run (≈ 13 s); without it
    // the copy would run on to its 20 s end, past the re-run's start.
    expect(a1.end * 1000 - cutAt).toBeLessThan(10_000);
    // 100 ms: the most a killed copy can outlive its last ledger line.
    expect(a2.start - a1.end).toBeGreaterThan(0.1);
    expect(a2.end - a2.start).toBeGreaterThanOrEqual(20);
    expect(isAlive(a1.pid)).toBe(false);
    expect(cutWorker.proc.output()).toMatch(/fenced: no master heard/);
  }, 150_000);

  it('a partition longer than the fence but shorter than the orphan grace: the fenced report is accepted and the task retried', async () => {
    const ledger = join(cluster.dir, 'ledger-short.txt');
    const spiderId = (await m.api.post('/api/spiders', { name: 'ledger-short', cmd: 'python3 ledger.py' })).body.id;
    expect((await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'ledger.py': LEDGER_PY })).status).toBe(200);
    const id: string = (await m.api.post('/api/tasks', { spiderId, maxRetries: 1, env: { LEDGER: ledger, RUN_SEC: '8' } })).body.tasks[0].id;
    const first = await waitFor('attempt 1 running and writing its ledger', async () => {
      const t = (await m.api.get(`/api/tasks/${id}`)).body;
      return t.status === 'running' && existsSync(ledger) && readLedger(ledger).length === 1 ? t : undefined;
    }, 30_000, 100);
    const nodes: { id: string; name: string }[] = (await m.api.get('/api/nodes')).body;
    const cutIndex = workers.findIndex((w) => w.name === nodes.find((n) => n.id === first.nodeId)?.name);
    expect(cutIndex).toBeGreaterThanOrEqual(0);
    const fences = () => workers[cutIndex].proc.output().split('fenced: no master heard; stopping').length;
    const before = fences();
    proxies[cutIndex].blackhole();
    await waitFor('the cut-off worker fenced its task', () => fences() > before, 20_000, 100);
    // Restored at once: past the 5 s fence, well before the 10 s orphan grace runs out.
    proxies[cutIndex].restore();

    const done = await finished(m, id, 60_000);
    expect(done.attempt).toBe(2);
    expect(done.attempts[0]).toMatchObject({ attempt: 1, status: 'abnormal' });
    expect(done.attempts[0].error).toMatch(/^fenced: no master heard/);
    const [a1, a2] = readLedger(ledger);
    expect([a1.attempt, a2.attempt]).toEqual([1, 2]);
    expect(a2.start - a1.end).toBeGreaterThan(0.1);
  }, 90_000);
});

describe('fence across replicas configured differently: a shorter grace elsewhere waits for the fence the worker was told', () => {
  const cluster = new TestCluster('fence-mixed');
  afterAll(() => cluster.stop());

  it('the replica with a 3 s grace re-runs the task only after the worker of the killed 14 s replica has stopped it', async () => {
    // long: grace 14 s, so its workers are told a fence of 14000 − 2500 − 2500 = 9000 ms.
    const long = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '14000' });
    // short: grace 3 s (its own fence off, as that grace allows no fence).
    const short = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '3000', CRAWLNEST_FENCE_MS: '0' });
    const env = { CRAWLNEST_KILL_GRACE_MS: '1000', CRAWLNEST_LABELS: 'pool=mixed' };
    await cluster.startWorker({ masters: [long], name: 'told-long', env });
    await cluster.waitNodeReady(long.api, 'told-long');

    const ledger = join(cluster.dir, 'ledger.txt');
    const spiderId = (await long.api.post('/api/spiders', { name: 'ledger', cmd: 'python3 ledger.py' })).body.id;
    // The first copy would run 60 s unless stopped; the re-run needs only 2 s.
    const script = LEDGER_PY.replace("float(os.environ['RUN_SEC'])", "(60.0 if attempt == '1' else 2.0)");
    expect(script).not.toBe(LEDGER_PY);
    expect((await long.api.putFiles(`/api/spiders/${spiderId}/files`, { 'ledger.py': script })).status).toBe(200);
    const created = await long.api.post('/api/tasks', { spiderId, maxRetries: 1, labels: { pool: 'mixed' }, env: { LEDGER: ledger } });
    const id: string = created.body.tasks[0].id;
    await waitFor('attempt 1 running and writing its ledger', async () => {
      const t = (await long.api.get(`/api/tasks/${id}`)).body;
      return t.status === 'running' && existsSync(ledger) && readLedger(ledger).length === 1;
    }, 30_000, 100);
    // The re-run's worker knows only the short replica.
    await cluster.startWorker({ masters: [short], name: 'rescuer', env });
    await cluster.waitNodeReady(short.api, 'rescuer');
    const killedAt = Date.now();
    long.proc.kill('SIGKILL');
    await long.proc.exited;

    const done = await finished(short, id, 120_000);
    expect(done.attempt).toBe(2);
    const [a1, a2] = readLedger(ledger);
    process.stdout.write(`mixed graces: kill → fenced copy's last line ${Math.round(a1.end * 1000 - killedAt)} ms; kill → re-run started ${Math.round(a2.start * 1000 - killedAt)} ms\n`);
    // Without the per-node grace the short replica re-ran it ≈ 6 s after the kill, while the
    // first copy ran on until its fence (≈ 9 s after its last ping).
    expect(a2.start - a1.end).toBeGreaterThan(0.1);
    expect(isAlive(a1.pid)).toBe(false);
  }, 180_000);
});
