import { Benchmark, Figure } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const N = Number(process.env.BENCH_TASKS ?? 2000);

/** Throughput of N `true` tasks on 2 workers × 4 slots (one master). */
const bench: Benchmark = {
  name: `task throughput (${N} \`true\` tasks, 2 workers × 4 slots)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-throughput');
    try {
      const m = await cluster.startMaster();
      for (const name of ['t1', 't2']) await cluster.startWorker({ masters: [m], name, env: { CRAWLNEST_MAX_RUNNERS: '4' } });
      for (const name of ['t1', 't2']) await cluster.waitNodeReady(m.api, name);
      const spiderId = (await m.api.post('/api/spiders', { name: 'tp', cmd: 'true' })).body.id;
      const t0 = Date.now();
      for (let i = 0; i < N; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, N - i) }, () => m.api.post('/api/tasks', { spiderId })));
      }
      const created = Date.now() - t0;
      await waitFor('all finished', async () => (await m.api.get('/api/stats')).body.tasks.finished === N, 600_000, 200);
      const total = Date.now() - t0;
      return [
        { name: 'create all (REST)', value: created, unit: 'ms' },
        { name: 'create → all finished', value: total, unit: 'ms' },
        { name: 'throughput', value: (N / total) * 1000, unit: 'tasks/s' },
      ];
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
