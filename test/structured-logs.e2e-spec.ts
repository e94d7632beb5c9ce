import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestCluster, WORKER_MAIN } from './support/cluster';
import { waitFor } from './support/wait';
import { taskEnded } from './support/spider-tree';

type Line = { level: string; time: string; msg: string; component: string; taskId?: string; nodeId?: string; context?: string };

/** Every line of a process's output but the master's plain banner (and empty lines). */
function logLines(output: string): string[] {
  const banner = /^(Crawlnest master ready| {2}(REST API|gRPC|API token|Try):)/;
  return output.split('\n').filter((l) => l.trim() !== '' && !banner.test(l));
}

describe('structured logs', () => {
  const cluster = new TestCluster('structured-logs');
  afterAll(() => cluster.stop());

  it('master and worker write one JSON object per line, with the task id and the node id on the lines about them', async () => {
    const m = await cluster.startMaster();
    const w = await cluster.startWorker({ masters: [m], name: 'logger' });
    const nodeId = await cluster.waitNodeReady(m.api, 'logger');
    const spiderId = (await m.api.post('/api/spiders', { name: 'logs', cmd: 'echo hi' })).body.id;
    const id = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id as string;
    expect((await taskEnded(m.api, id)).status).toBe('finished');
    await w.proc.stop();

    for (const [who, proc] of [['master', m.proc], ['worker', w.proc]] as const) {
      const lines = logLines(proc.output());
      expect(lines.length).toBeGreaterThan(10);
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as Line;
        } catch {
          throw new Error(`${who}: not a JSON line: ${l}`);
        }
      });
      for (const p of parsed) {
        expect(p).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String), component: who }));
      }
      // The lines about this task name it.
      const aboutTask = parsed.filter((p) => p.taskId === id);
      expect(aboutTask.map((p) => p.msg)).toContain('task ended');
      expect(aboutTask.every((p) => p.level !== undefined)).toBe(true);
      if (who === 'worker') {
        // Once registered, every worker line carries its node id.
        const first = parsed.findIndex((p) => p.nodeId === nodeId);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(parsed.slice(first).filter((p) => p.nodeId !== nodeId)).toEqual([]);
      } else {
        expect(parsed.some((p) => p.msg === 'node online' && p.nodeId === nodeId)).toBe(true);
      }
    }
  }, 60_000);

  it('on a terminal (CRAWLNEST_LOG_FORMAT unset) a worker writes human-readable lines', async () => {
    const m = await cluster.startMaster();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CRAWLNEST_')) env[k] = v;
    Object.assign(env, {
      CRAWLNEST_MASTER: m.grpcAddress,
      CRAWLNEST_CLUSTER_SECRET: cluster.clusterSecret,
      CRAWLNEST_WORKSPACE: join(cluster.dir, 'tty-worker'),
      CRAWLNEST_NODE_NAME: 'tty',
    });
    // util-linux `script` runs the worker on a pseudo-terminal, as a person starting it would.
    const child = spawn('script', ['-qfec', `${process.execPath} ${WORKER_MAIN}`, '/dev/null'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await cluster.waitNodeReady(m.api, 'tty');
      await waitFor('the worker logs that it started', () => out.includes('worker started'), 10_000);
    } finally {
      process.kill(-(child.pid as number), 'SIGKILL');
    }
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    const started = plain.split(/\r?\n/).find((l) => l.includes('worker started'));
    expect(started).toMatch(/INFO/);
    expect(started?.trimStart().startsWith('{')).toBe(false);
  }, 60_000);

  it('CRAWLNEST_LOG_FORMAT=pretty writes human-readable lines instead', async () => {
    const m = await cluster.startMaster({ CRAWLNEST_LOG_FORMAT: 'pretty' });
    await m.proc.stop();
    const lines = logLines(m.proc.output());
    const ready = lines.find((l) => l.includes('master ready'));
    expect(ready).toMatch(/INFO/);
    expect(() => JSON.parse(ready as string)).toThrow();
  }, 60_000);
});
