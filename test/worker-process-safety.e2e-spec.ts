import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster, Worker } from './support/cluster';
import { isAlive } from './support/processes';
import { waitFor } from './support/wait';

/**
 * A Scrapy-like process: on SIGTERM it takes SAVE_SEC to save its state, writes STATE and
 * exits 0. Killed earlier (SIGKILL), no state file.
 */
const TRAP_PY = `
import os, signal, sys, time
def on_term(signum, frame):
    time.sleep(float(os.environ['SAVE_SEC']))
    with open(os.environ['STATE'], 'w') as f:
        f.write('saved after SIGTERM\\n')
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
with open(os.environ['STATE'] + '.pid', 'w') as f:
    f.write(str(os.getpid()))
print('ready', flush=True)
while True:
    time.sleep(0.1)
`;

/** Whether any process is left in the process group `pgid` (signal 0 probes without signalling). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

type LogPage = { lines: { text: string }[] };

/** Shell words that write the task's process group id (field 5 of /proc/$$/stat) to the file that follows. */
/** The task's lifeline watcher: the member of its group still running the launcher (task-launch.script.ts). */
function watcherOf(pgid: number): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('crawlnest-task')) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no lifeline watcher in process group ${pgid}`);
}

const PGID_TO = `cut -d' ' -f5 /proc/$$/stat >`;

describe('graceful cancel: SIGTERM, then SIGKILL after the task\'s or the spider\'s grace', () => {
  const cluster = new TestCluster('kill-grace');
  let m: Master;
  beforeAll(async () => {
    m = await cluster.startMaster();
    // The worker's own default grace is far too short for the 2 s save.
    await cluster.startWorker({ masters: [m], name: 'grace', env: { CRAWLNEST_KILL_GRACE_MS: '300' } });
    await cluster.waitNodeReady(m.api, 'grace', 60_000);
  });
  afterAll(() => cluster.stop());

  async function cancelAfterReady(spiderId: string, state: string, extra: Record<string, unknown> = {}) {
    const r = await m.api.post('/api/tasks', { spiderId, env: { STATE: state, SAVE_SEC: '2' }, ...extra });
    expect(r.status).toBe(201);
    const id: string = r.body.tasks[0].id;
    await waitFor('trap ready', async () => (await m.api.get<LogPage>(`/api/tasks/${id}/logs`)).body.lines.some((l) => l.text === 'ready'), 30_000, 100);
    expect((await m.api.post(`/api/tasks/${id}/cancel`)).status).toBe(201);
    return waitFor('task cancelled and its process gone', async () => {
      const t = (await m.api.get(`/api/tasks/${id}`)).body;
      if (t.status !== 'cancelled') return undefined;
      // The worker reports after the process exited; give the report a moment to land.
      return (await m.api.get(`/api/tasks/${id}`)).body;
    }, 30_000, 100);
  }

  async function trapSpider(name: string, body: Record<string, unknown> = {}): Promise<string> {
    const s = await m.api.post('/api/spiders', { name, cmd: 'python3 trap.py', ...body });
    expect(s.status).toBe(201);
    expect((await m.api.putFiles(`/api/spiders/${s.body.id}/files`, { 'trap.py': TRAP_PY })).status).toBe(200);
    return s.body.id;
  }

  it('a task with killGraceSec 6 saves its state within the grace; the view shows the grace', async () => {
    const spiderId = await trapSpider('grace-task');
    const state = join(cluster.dir, 'state-task.txt');
    const t = await cancelAfterReady(spiderId, state, { killGraceSec: 6 });
    expect(t.killGraceSec).toBe(6);
    await waitFor('state file', () => existsSync(state), 10_000, 100);
    expect(readFileSync(state, 'utf8')).toBe('saved after SIGTERM\n');
  });

  it('a spider with killGraceSec 6 gives it to its tasks (PATCH included)', async () => {
    const spiderId = await trapSpider('grace-spider');
    const patched = await m.api.patch(`/api/spiders/${spiderId}`, { killGraceSec: 6 });
    expect(patched.status).toBe(200);
    expect(patched.body.killGraceSec).toBe(6);
    const state = join(cluster.dir, 'state-spider.txt');
    const t = await cancelAfterReady(spiderId, state);
    expect(t.killGraceSec).toBe(6);
    await waitFor('state file', () => existsSync(state), 10_000, 100);
  });

  it('without a grace the worker default (300 ms) applies: SIGKILL before the state is saved', async () => {
    const spiderId = await trapSpider('grace-none');
    const state = join(cluster.dir, 'state-none.txt');
    const t = await cancelAfterReady(spiderId, state);
    expect(t.killGraceSec).toBe(0);
    const pid = Number(readFileSync(`${state}.pid`, 'utf8'));
    await waitFor('the trap process is gone', () => !isAlive(pid), 10_000, 50);
    expect(existsSync(state)).toBe(false);
  });

  it.each([
    [{ killGraceSec: -1 }, 'killGraceSec'],
    [{ killGraceSec: 3601 }, 'killGraceSec'],
    [{ killGraceSec: 'x' }, 'killGraceSec'],
  ])('POST /api/tasks %j is a 400 naming the field', async (extra, field) => {
    const spiderId = (await m.api.get('/api/spiders')).body[0].id;
    const r = await m.api.post('/api/tasks', { spiderId, ...extra });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.message)).toContain(field);
  });
});

describe('orphans: a worker kills the process groups its previous life left running', () => {
  const cluster = new TestCluster('orphans');
  let m: Master;
  let w: Worker;
  const pgids: number[] = [];
  beforeAll(async () => {
    m = await cluster.startMaster();
    w = await cluster.startWorker({ masters: [m], name: 'orphan' });
    await cluster.waitNodeReady(m.api, 'orphan', 60_000);
  });
  afterAll(async () => {
    for (const g of pgids) if (groupAlive(g)) process.kill(-g, 'SIGKILL');
    await cluster.stop();
  });

  it('SIGKILL the worker and its task\'s lifeline watcher at once: the task group survives them; the restarted worker kills that group and spares an unrelated one', async () => {
    const pidFile = join(cluster.dir, 'task-pgid');
    // The group is the task shell's (it leads it); two children that ignore nothing keep the group alive.
    const spiderId = (await m.api.post('/api/spiders', { name: 'orphan', cmd: `${PGID_TO} ${pidFile}; sleep 300 & sleep 300 & wait` })).body.id;
    const id = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id;
    await waitFor('task running', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'running', 30_000, 100);
    const pgid = await waitFor('pgid written', () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0), 10_000, 50);
    pgids.push(pgid);
    expect(existsSync(join(w.workspace, 'process-groups', `${pgid}.json`))).toBe(true);

    // An unrelated live group that a stale record names with another start time (a reused
    // pid): it must be left alone.
    const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const bystanderPid = bystander.pid as number;
    pgids.push(bystanderPid);
    mkdirSync(join(w.workspace, 'process-groups'), { recursive: true });
    writeFileSync(join(w.workspace, 'process-groups', `${bystanderPid}.json`), JSON.stringify({ pgid: bystanderPid, startTicks: '1', taskId: 'x', attempt: 1 }));

    // The watcher normally kills the group when the worker dies (worker-orphans.e2e-spec.ts);
    // here it is stopped first and killed with the worker, as by an OOM kill of both.
    const watcher = watcherOf(pgid);
    process.kill(watcher, 'SIGSTOP');
    w.proc.kill('SIGKILL');
    await w.proc.exited;
    process.kill(watcher, 'SIGKILL');
    expect(groupAlive(pgid)).toBe(true); // the orphan exists: what the restart must clean up

    const again = await cluster.startWorker({ masters: [m], name: 'orphan', workspace: w.workspace });
    await waitFor('the old task group is gone', () => !groupAlive(pgid), 20_000, 100);
    await cluster.waitNodeReady(m.api, 'orphan', 60_000);
    expect(again.proc.output()).toMatch(/killed a task process group left by the previous worker/);
    expect(groupAlive(bystanderPid)).toBe(true);
    expect(existsSync(join(w.workspace, 'process-groups', `${pgid}.json`))).toBe(false);
    process.kill(-bystanderPid, 'SIGKILL');
  });

  it('a task that ends removes its record, and leaves no process of its group behind', async () => {
    const pidFile = join(cluster.dir, 'bg-pgid');
    const spiderId = (await m.api.post('/api/spiders', { name: 'bg', cmd: `${PGID_TO} ${pidFile}; (sleep 300 > /dev/null 2>&1 &); echo started` })).body.id;
    const id = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id;
    await waitFor('task finished', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'finished', 30_000, 100);
    const pgid = Number(readFileSync(pidFile, 'utf8').trim());
    pgids.push(pgid);
    await waitFor('its daemonised child is gone', () => !groupAlive(pgid), 10_000, 100);
    expect(existsSync(join(w.workspace, 'process-groups', `${pgid}.json`))).toBe(false);
  });
});
