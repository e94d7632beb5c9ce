import { Benchmark, Figure } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const bench: Benchmark = {
  name: 'phases',
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-phases');
    try {
      const m = await cluster.startMaster();
      for (const name of ['t1', 't2']) await cluster.startWorker({ masters: [m], name, env: { CRAWLNEST_MAX_RUNNERS: '4' } });
      for (const name of ['t1', 't2']) await cluster.waitNodeReady(m.api, name);
      const spiderId = (await m.api.post('/api/spiders', { name: 'tp', cmd: 'true' })).body.id;
      const ids = await Promise.all(Array.from({ length: 40 }, async () => (await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id as string));
      await waitFor('done', async () => (await m.api.get('/api/stats')).body.tasks.finished === 40, 120_000, 200);
      for (const id of ids.slice(0, 40)) {
        const t = (await m.api.get(`/api/tasks/${id}`)).body;
        const c = new Date(t.createdAt).getTime();
        console.log(`assign +${new Date(t.assignedAt).getTime() - c} start +${new Date(t.startedAt).getTime() - c} finish +${new Date(t.finishedAt).getTime() - c} sync ${t.sync?.durationMs}`);
      }
      return [];
    } finally {
      await cluster.stop();
    }
  },
};
export default bench;
