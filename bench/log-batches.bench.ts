import { Benchmark, Figure } from './bench-kit';
import { dbCommands } from './db-commands';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const TASKS = 4;
const LINES = 500;

/**
 * What a running task's log costs the database: tasks printing a line every 10 ms (about 6 s
 * each), run together on one worker. Each log batch (every 200 ms) was checked against the
 * task's current attempt with one read; the check now stands for a second per attempt
 * (CurrentAttempts). Baseline: one read per stored batch, the old cost, from the same run.
 */
const bench: Benchmark = {
  name: `log batches (1 master, 1 worker, ${TASKS} tasks printing ${LINES} lines 10 ms apart, at once)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-log-batches');
    try {
      const m = await cluster.startMaster();
      await cluster.startWorker({ masters: [m], name: 'chatty', env: { CRAWLNEST_MAX_RUNNERS: String(TASKS) } });
      await cluster.waitNodeReady(m.api, 'chatty');
      const spiderId = (await m.api.post('/api/spiders', { name: 'chatty', cmd: `for i in $(seq ${LINES}); do echo line $i; sleep 0.01; done` })).body.id;
      const before = await dbCommands(m);
      const t0 = Date.now();
      const created = await Promise.all(Array.from({ length: TASKS }, () => m.api.post('/api/tasks', { spiderId })));
      const ids = created.map((r) => r.body.tasks[0].id as string);
      await waitFor('all finished', async () => {
        for (const id of ids) if ((await m.api.get(`/api/tasks/${id}`)).body.status !== 'finished') return false;
        return true;
      }, 120_000, 1000);
      const secs = (Date.now() - t0) / 1000;
      const after = await dbCommands(m);
      const delta = (k: string) => Object.keys(after).filter((x) => x.startsWith(k)).reduce((a, x) => a + after[x] - (before[x] ?? 0), 0);
      const batches = delta('insert task_logs');
      const reads = delta('find tasks');
      const all = Object.keys(after).reduce((a, k) => a + after[k] - (before[k] ?? 0), 0);
      return [
        { name: 'log batches stored', value: batches, unit: '' },
        { name: 'reads of `tasks` per log batch (all causes: currency checks, stale-run checks, the bench\'s own polls)', value: reads / Math.max(1, batches), unit: '', goal: 'well below 1', baseline: { name: 'before: one currency read per batch on top of this run\'s other reads (an upper bound)', value: 1 + reads / Math.max(1, batches) } },
        { name: 'database commands per second while they ran', value: all / secs, unit: '/s' },
      ];
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
