import { Benchmark, Figure, percentile } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const ROUNDS = 5;

/**
 * SIGTERM → exit, as REL-006 times it: a worker with defaults (drain 10 s, kill grace 5 s)
 * running one task that ends within the drain and one that never ends, and a master with
 * two workers connected, a task running and a log follower open.
 */
const bench: Benchmark = {
  name: `graceful shutdown (${ROUNDS} rounds each; worker with default CRAWLNEST_DRAIN_MS and kill grace)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-shutdown');
    const workerExit: number[] = [];
    const masterExit: number[] = [];
    try {
      const m = await cluster.startMaster();
      const spiderId = (await m.api.post('/api/spiders', { name: 'b', cmd: 'true' })).body.id;
      const running = async (cmd: string, pool: string) => {
        const id = (await m.api.post('/api/tasks', { spiderId, cmd, labels: { pool } })).body.tasks[0].id;
        await waitFor('task running', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'running', 30_000, 20);
      };
      for (let i = 0; i < ROUNDS; i++) {
        const name = `drain${i}`;
        // The harness shortens the drain for tests; here the defaults apply.
        const w = await cluster.startWorker({ masters: [m], name, env: { CRAWLNEST_LABELS: `pool=${name}`, CRAWLNEST_DRAIN_MS: '10000' } });
        await cluster.waitNodeReady(m.api, name, 30_000);
        await running('sleep 2', name);
        await running('sleep 600', name);
        const t0 = Date.now();
        w.proc.kill('SIGTERM');
        await w.proc.exited;
        workerExit.push(Date.now() - t0);
      }
      for (let i = 0; i < ROUNDS; i++) {
        const victim = await cluster.startMaster();
        for (const name of [`a${i}`, `b${i}`]) await cluster.startWorker({ masters: [victim], name, env: { CRAWLNEST_LABELS: `pool=m${i}` } });
        await cluster.waitNodeReady(victim.api, `a${i}`, 30_000);
        await cluster.waitNodeReady(victim.api, `b${i}`, 30_000);
        const id = (await victim.api.post('/api/tasks', { spiderId, cmd: 'sleep 600', labels: { pool: `m${i}` } })).body.tasks[0].id;
        await waitFor('task running', async () => (await victim.api.get(`/api/tasks/${id}`)).body.status === 'running', 30_000, 20);
        const follower = await fetch(`http://127.0.0.1:${victim.httpPort}/api/tasks/${id}/logs/stream`, { headers: { authorization: `Bearer ${cluster.apiToken}` } }).catch((err: Error) => {
          throw new Error(`log follower on ${victim.name}: ${String(err.cause ?? err)}`);
        });
        const drained = follower.body ? follower.body.pipeTo(new WritableStream()).catch(() => undefined) : Promise.resolve();
        const t0 = Date.now();
        victim.proc.kill('SIGTERM');
        await victim.proc.exited;
        masterExit.push(Date.now() - t0);
        await drained;
      }
      return [
        { name: 'worker SIGTERM→exit p50 (one task done in time, one cancelled at 10 s)', value: percentile(workerExit, 50), unit: 'ms', goal: '< 20000 ms' },
        { name: 'worker SIGTERM→exit max', value: Math.max(...workerExit), unit: 'ms', goal: '< 20000 ms' },
        { name: 'master SIGTERM→exit p50 (2 workers, a running task, a log follower)', value: percentile(masterExit, 50), unit: 'ms', goal: '< 30000 ms' },
        { name: 'master SIGTERM→exit max', value: Math.max(...masterExit), unit: 'ms', goal: '< 30000 ms' },
      ];
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
