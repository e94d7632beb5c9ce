import { Benchmark, Figure, percentile } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

/** Create → running and create → finished for sequential `true` tasks on one worker. */
const bench: Benchmark = {
  name: 'task latency (1 master, 1 worker, 50 sequential `true` tasks)',
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-latency');
    try {
      const m = await cluster.startMaster();
      await cluster.startWorker({ masters: [m], name: 'b1' });
      await cluster.waitNodeReady(m.api, 'b1');
      const spiderId = (await m.api.post('/api/spiders', { name: 'b', cmd: 'true' })).body.id;
      const toRunning: number[] = [];
      const toFinished: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = Date.now();
        const id = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id;
        const t = await waitFor('task finished', async () => {
          const r = (await m.api.get(`/api/tasks/${id}`)).body;
          return r.status === 'finished' ? r : undefined;
        }, 30_000, 5);
        toRunning.push(new Date(t.startedAt).getTime() - new Date(t.createdAt).getTime());
        toFinished.push(Date.now() - t0);
      }
      return [
        { name: 'create→running p50', value: percentile(toRunning, 50), unit: 'ms' },
        { name: 'create→running p99', value: percentile(toRunning, 99), unit: 'ms' },
        { name: 'create→finished seen by client p50', value: percentile(toFinished, 50), unit: 'ms' },
      ];
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
