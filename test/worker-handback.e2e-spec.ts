import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, cliEnv } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { taskEnded } from './support/spider-tree';
import { waitFor } from './support/wait';

type Attempt = { attempt: number; nodeId: string | null; status: string; error: string | null; handedBack?: boolean };
type TaskBody = { id: string; status: string; nodeId: string | null; attempt: number; maxRetries: number; error: string | null; attempts: Attempt[] };
type LogsPage = { lines: { text: string }[] };

/** Attempts before `until` sleep (they must be stopped); that one and later ones finish. */
const longUntil = (until: number) =>
  `echo "attempt $CRAWLNEST_TASK_ATTEMPT on $NODE_HINT"; if [ "$CRAWLNEST_TASK_ATTEMPT" -lt ${until} ]; then sleep 300; fi; echo "attempt $CRAWLNEST_TASK_ATTEMPT done"`;

/** Every status the task shows while `during` runs (polled every 100 ms). */
async function statusesDuring<T>(m: Master, id: string, during: () => Promise<T>): Promise<{ result: T; seen: Set<string> }> {
  const seen = new Set<string>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const r = await m.api.get<TaskBody>(`/api/tasks/${id}`);
      if (r.status === 200) seen.add(r.body.status);
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  try {
    return { result: await during(), seen };
  } finally {
    polling = false;
    await poller;
  }
}

describe('a SIGTERMed worker hands its tasks back (issue 20, point 7)', () => {
  const cluster = new TestCluster('worker-handback');
  let m: Master;
  let spiderId: string;
  const drainEnv = (pool: string, extra: Record<string, string> = {}) => ({
    CRAWLNEST_LABELS: `pool=${pool}`,
    CRAWLNEST_DRAIN_MS: '1000',
    CRAWLNEST_KILL_GRACE_MS: '1000',
    ...extra,
  });

  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '3000', CRAWLNEST_FENCE_MS: '0' });
    spiderId = (await m.api.post('/api/spiders', { name: 'handback', cmd: 'true' })).body.id as string;
  }, 60_000);
  afterAll(() => cluster.stop());

  it('the long task runs on and finishes on the other worker, never cancelled, as a new attempt without using a retry; run --follow follows it there and exits 0', async () => {
    const a = await cluster.startWorker({ masters: [m], name: 'leaving', env: drainEnv('hb') });
    const aId = await cluster.waitNodeReady(m.api, 'leaving', 60_000);
    const home = join(cluster.dir, 'cli-home');
    mkdirSync(home, { recursive: true });
    const cli = new CliProcess(
      ['run', 'handback', '--cmd', longUntil(2), '--label', 'pool=hb', '--env', 'NODE_HINT=x', '--follow'],
      cliEnv(home, { CRAWLNEST_URL: `http://127.0.0.1:${m.httpPort}`, CRAWLNEST_TOKEN: cluster.apiToken }),
    );
    await cli.waitOutput(/attempt 1 on x/, 60_000);
    const id = /following task ([0-9a-f]{24})/.exec(cli.stderr)?.[1] as string;
    expect((await m.api.get<TaskBody>(`/api/tasks/${id}`)).body).toMatchObject({ status: 'running', nodeId: aId, maxRetries: 0 });
    await cluster.startWorker({ masters: [m], name: 'staying', env: drainEnv('hb') });
    const bId = await cluster.waitNodeReady(m.api, 'staying', 60_000);

    const { result: ended, seen } = await statusesDuring(m, id, async () => {
      a.proc.kill('SIGTERM');
      const exit = await a.proc.exited;
      expect(exit.code).toBe(0);
      return taskEnded(m.api, id, 60_000);
    });
    const full = (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body;
    console.log(`handback: statuses seen ${[...seen].join(' → ')}; attempts ${JSON.stringify(full.attempts)}`);
    expect(ended.status).toBe('finished');
    expect(seen.has('cancelled')).toBe(false);
    expect(full).toMatchObject({ status: 'finished', nodeId: bId, attempt: 2, maxRetries: 0, error: null });
    expect(full.attempts).toHaveLength(1);
    expect(full.attempts[0]).toMatchObject({ attempt: 1, nodeId: aId, handedBack: true });
    expect(full.attempts[0].error).toMatch(/^worker shutting down/);
    expect((await m.api.get<LogsPage>(`/api/tasks/${id}/logs?limit=100`)).body.lines.map((l) => l.text)).toEqual(['attempt 2 on x', 'attempt 2 done']);
    const drained = a.proc.output().split('\n').find((l) => l.includes('"msg":"drained"'));
    expect(JSON.parse(drained ?? '{}')).toMatchObject({ finished: 0, handedBack: 1 });

    const r = await cli.done;
    expect(r.stderr).toMatch(/attempt 2/);
    expect(r.stdout).toMatch(/attempt 2 done/);
    expect(r.code).toBe(0);
  }, 180_000);

  it('a handed-back attempt uses no retry: after it, an orphaned attempt of a task with maxRetries 1 is still retried', async () => {
    const a = await cluster.startWorker({ masters: [m], name: 'first', env: drainEnv('retry') });
    const aId = await cluster.waitNodeReady(m.api, 'first', 60_000);
    const id = (await m.api.post('/api/tasks', { spiderId, cmd: longUntil(3), maxRetries: 1, labels: { pool: 'retry' }, env: { NODE_HINT: 'y' } })).body.tasks[0].id as string;
    await waitFor('attempt 1 running on the first worker', async () => (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body.status === 'running', 60_000);
    const b = await cluster.startWorker({ masters: [m], name: 'second', env: drainEnv('retry') });
    const bId = await cluster.waitNodeReady(m.api, 'second', 60_000);
    a.proc.kill('SIGTERM');
    await waitFor('attempt 2 running on the second worker', async () => {
      const t = (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body;
      return t.attempt === 2 && t.status === 'running' && t.nodeId === bId;
    }, 60_000);
    // The second worker dies; the master declares attempt 2 abnormal and retries it (the one retry).
    b.proc.kill('SIGKILL');
    await cluster.startWorker({ masters: [m], name: 'third', env: drainEnv('retry') });
    const cId = await cluster.waitNodeReady(m.api, 'third', 60_000);
    const t = await taskEnded(m.api, id, 60_000);
    const full = (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body;
    expect(t.status).toBe('finished');
    expect(full).toMatchObject({ nodeId: cId, attempt: 3 });
    expect(full.attempts.map((x) => [x.attempt, x.nodeId, x.status, x.handedBack ?? false])).toEqual([
      [1, aId, 'pending', true],
      [2, bId, 'abnormal', false],
    ]);
  }, 180_000);

  it('CRAWLNEST_SHUTDOWN_MODE=cancel keeps the old behaviour: the task is cancelled with the reason', async () => {
    const w = await cluster.startWorker({ masters: [m], name: 'canceller', env: drainEnv('cancel', { CRAWLNEST_SHUTDOWN_MODE: 'cancel' }) });
    await cluster.waitNodeReady(m.api, 'canceller', 60_000);
    const id = (await m.api.post('/api/tasks', { spiderId, cmd: longUntil(2), labels: { pool: 'cancel' }, env: { NODE_HINT: 'z' } })).body.tasks[0].id as string;
    await waitFor('task running', async () => (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body.status === 'running', 60_000);
    w.proc.kill('SIGTERM');
    expect((await w.proc.exited).code).toBe(0);
    const t = await taskEnded(m.api, id, 30_000);
    expect(t.status).toBe('cancelled');
    expect(t.error).toMatch(/worker shutting down.*drain window/);
    const drained = w.proc.output().split('\n').find((l) => l.includes('"msg":"drained"'));
    expect(JSON.parse(drained ?? '{}')).toMatchObject({ finished: 0, cancelled: 1 });
  }, 120_000);

  it('an unknown CRAWLNEST_SHUTDOWN_MODE stops the worker at start, naming the variable', async () => {
    const w = await cluster.startWorker({ masters: [m], name: 'misconfigured', env: { CRAWLNEST_SHUTDOWN_MODE: 'pause' } });
    const exit = await w.proc.exited;
    expect(exit.code).toBe(2);
    expect(w.proc.output()).toMatch(/CRAWLNEST_SHUTDOWN_MODE/);
  }, 60_000);
});
