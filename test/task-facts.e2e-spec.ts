import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * What the task and node views tell a user (issue 20, point 11): a duration that includes the
 * environment build and counts up while the task is active, nodes named by their names, and
 * no live figures for a node that is gone.
 */
type Task = {
  id: string;
  status: string;
  nodeId: string | null;
  nodeName?: string | null;
  error: string | null;
  assignedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs?: number | null;
  prepareMs?: number | null;
  runMs?: number | null;
  environment: { keys: string[]; cached: boolean; buildMs: number } | null;
  attempts: { nodeId: string | null; nodeName?: string | null; error: string | null }[];
};
type Resources = { cpuPercent: number; memoryBytes: number; diskFreeBytes: number };
type NodeView = { id: string; name: string; status: string; runningTasks: number; resources: Resources | null; lastResources?: Resources | null };

const BUILD_MS = 120_000;

describe('task facts: durations, node names, offline nodes', () => {
  const cluster = new TestCluster('task-facts');
  let m: Master;
  let home: string;
  let cli: NodeJS.ProcessEnv;

  const taskOf = async (id: string) => (await m.api.get<Task>(`/api/tasks/${id}`)).body;
  const nodeOf = async (id: string) => (await m.api.get<NodeView>(`/api/nodes/${id}`)).body;
  const until = (id: string, what: string, ok: (t: Task) => boolean, timeoutMs = 30_000) =>
    waitFor(`task ${id} ${what}`, async () => {
      const t = await taskOf(id);
      return ok(t) ? t : undefined;
    }, timeoutMs, 50);

  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_NODE_TIMEOUT_MS: '2000', CRAWLNEST_ORPHAN_GRACE_MS: '1500', CRAWLNEST_FENCE_MS: '0' });
    home = mkdtempSync(join(tmpdir(), 'cn-facts-home-'));
    cli = cliEnv(home, { CRAWLNEST_URL: `http://127.0.0.1:${m.httpPort}`, CRAWLNEST_TOKEN: cluster.apiToken });
  });
  afterAll(async () => {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('a task with an environment to build: its duration runs from assignment, counts up while it is built and while it runs, the build shown apart', async () => {
    await cluster.startWorker({ masters: [m], name: 'builder', env: { CRAWLNEST_LABELS: 'pool=build' } });
    await cluster.waitNodeReady(m.api, 'builder');
    const spider = (await m.api.post('/api/spiders', { name: 'facts-env', cmd: 'python -c "import six, time; time.sleep(3); print(\'slept\')"' })).body.id as string;
    expect((await m.api.putFiles(`/api/spiders/${spider}/files`, { 'requirements.txt': 'six==1.16.0\n' })).status).toBe(200);
    const id = (await m.api.post('/api/tasks', { spiderId: spider, labels: { pool: 'build' } })).body.tasks[0].id as string;

    // While the environment is built (assigned, not started): the duration already counts.
    const building1 = await until(id, 'assigned or running', (t) => t.status === 'assigned' || t.status === 'running', BUILD_MS);
    expect(building1.durationMs).toEqual(expect.any(Number));
    const building2 = await until(id, 'its duration grown by 500 ms', (t) => t.status !== 'assigned' || (t.durationMs ?? 0) >= (building1.durationMs ?? 0) + 500, BUILD_MS);
    if (building2.status === 'assigned') expect(building2.prepareMs).toBe(building2.durationMs);

    // While it runs: the duration grows between two reads, and it includes the build.
    const run1 = await until(id, 'running', (t) => t.status === 'running', BUILD_MS);
    expect(run1.nodeName).toBe('builder');
    const run2 = await until(id, 'its duration grown by 1 s while running', (t) => t.status !== 'running' || (t.durationMs ?? 0) >= (run1.durationMs ?? 0) + 1000, 10_000);
    expect(run2.status).toBe('running');
    expect(run2.durationMs!).toBeGreaterThanOrEqual(run1.durationMs! + 1000);
    expect(run2.prepareMs).toBe(run1.prepareMs); // the preparation ended at the start

    // The table of `crawlnest tasks ls` shows the running duration with the preparation apart.
    const ls = await runCli(['tasks', 'ls', '--spider', 'facts-env'], cli);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/builder/);
    expect(ls.stdout).toMatch(/\d+(\.\d)? s \(prepare \d+(\.\d)? s\)/);

    const done = await until(id, 'finished', (t) => t.status === 'finished', 60_000);
    expect(done.environment).toMatchObject({ cached: false });
    const wall = Date.parse(done.finishedAt!) - Date.parse(done.assignedAt!);
    const run = Date.parse(done.finishedAt!) - Date.parse(done.startedAt!);
    expect(done.durationMs).toBe(wall);
    expect(done.runMs).toBe(run);
    expect(done.prepareMs).toBe(wall - run);
    // The build is inside the duration, not left out of it.
    expect(done.prepareMs!).toBeGreaterThanOrEqual(done.environment!.buildMs);
    expect(done.durationMs!).toBeGreaterThanOrEqual(done.environment!.buildMs + 3000);
    // Ended: the figure stays.
    await new Promise((r) => setTimeout(r, 300));
    expect((await taskOf(id)).durationMs).toBe(done.durationMs);
    const show = await runCli(['tasks', 'show', id], cli);
    expect(show.stdout).toMatch(/^node\s+builder$/m);
    expect(show.stdout).toMatch(/^duration\s+\d+\.\d s from assignment; prepare \d+\.\d s, run \d+\.\d s$/m);
  }, 3 * BUILD_MS);

  /** A worker with one `sleep 60` task running (no retries), SIGKILLed once its heartbeat reported the task. */
  async function killWithTask(name: string): Promise<{ nodeId: string; taskId: string }> {
    const w = await cluster.startWorker({ masters: [m], name, env: { CRAWLNEST_LABELS: `pool=${name}` } });
    const nodeId = await cluster.waitNodeReady(m.api, name);
    const spider = (await m.api.post('/api/spiders', { name: `facts-${name}`, cmd: 'sleep 60' })).body.id as string;
    const taskId = (await m.api.post('/api/tasks', { spiderId: spider, labels: { pool: name }, maxRetries: 0 })).body.tasks[0].id as string;
    await until(taskId, 'running', (t) => t.status === 'running');
    const live = await waitFor(`node ${name} reports 1 running task and its resources`, async () => {
      const n = await nodeOf(nodeId);
      return n.runningTasks === 1 && n.resources ? n : undefined;
    });
    expect(live.resources!.memoryBytes).toBeGreaterThan(0);
    w.proc.kill('SIGKILL');
    await w.proc.exited;
    return { nodeId, taskId };
  }

  it('a SIGKILLed node is named, not numbered, in the error of its task and in the task views (the id stays)', async () => {
    const { nodeId, taskId } = await killWithTask('fading');
    const t = await until(taskId, 'abnormal', (x) => x.status === 'abnormal');
    expect(t.error).toBe('node fading went offline while the task was running');
    expect(t.nodeId).toBe(nodeId);
    expect(t.nodeName).toBe('fading');
    const tasks = await runCli(['tasks', 'ls', '--spider', 'facts-fading'], cli);
    expect(tasks.stdout).toContain('node fading went offline');
    const show = await runCli(['tasks', 'show', taskId], cli);
    expect(show.stdout).toMatch(/^node\s+fading$/m);
  }, 120_000);

  it('an offline node shows no running count or machine figures (API and CLI); its last figures stay apart', async () => {
    const { nodeId } = await killWithTask('vanishing');
    const gone = await waitFor('node offline', async () => {
      const n = await nodeOf(nodeId);
      return n.status === 'offline' ? n : undefined;
    });
    expect({ runningTasks: gone.runningTasks, resources: gone.resources }).toEqual({ runningTasks: 0, resources: null });
    expect(gone.lastResources).toEqual(expect.objectContaining({ memoryBytes: expect.any(Number) }));
    const listed = (await m.api.get<NodeView[]>('/api/nodes')).body.find((n) => n.id === nodeId)!;
    expect(listed).toMatchObject({ runningTasks: 0, resources: null });
    const nodes = await runCli(['nodes', 'ls'], cli);
    const row = nodes.stdout.split('\n').find((l) => l.includes('vanishing'))!;
    expect(row).toMatch(/offline/);
    expect(row).toMatch(/│ - +│/);
  }, 120_000);
});
