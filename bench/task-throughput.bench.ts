import { Benchmark, Figure } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';
import { dbCommands, dbSeconds, perTask, timePerTask } from './db-commands';

const N = Number(process.env.BENCH_TASKS ?? 2000);
/** The small backlog the big one is compared with, measured in the same run (issue 13: ratio ≥ 0.8). */
const BASE = Number(process.env.BENCH_BASE_TASKS ?? 300);
/** The bench's own progress polls (`/api/stats` reads the open tasks): sparse, so the instrument weighs little on what it measures. */
const STATS_POLL_MS = 2000;

type Run = { created: number; total: number; perSec: number; roundTrips: number };

/** N `true` tasks created at once (50 REST calls in flight) on 2 workers × 4 slots, one master, fresh database state. */
async function runOnce(n: number, label: string): Promise<Run> {
  const cluster = new TestCluster(`bench-throughput-${label}`);
  try {
    const m = await cluster.startMaster();
    for (const name of ['t1', 't2']) await cluster.startWorker({ masters: [m], name, env: { CRAWLNEST_MAX_RUNNERS: '4' } });
    for (const name of ['t1', 't2']) await cluster.waitNodeReady(m.api, name);
    const spiderId = (await m.api.post('/api/spiders', { name: `tp-${label}`, cmd: 'true' })).body.id;
    const finished0 = (await m.api.get('/api/stats')).body.tasks.finished ?? 0;
    const commands0 = await dbCommands(m);
    const seconds0 = await dbSeconds(m);
    const t0 = Date.now();
    for (let i = 0; i < n; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => m.api.post('/api/tasks', { spiderId })));
    }
    const created = Date.now() - t0;
    await waitFor('all finished', async () => (await m.api.get('/api/stats')).body.tasks.finished - finished0 >= n, 3_600_000, STATS_POLL_MS);
    const total = Date.now() - t0;
    const rt = perTask(commands0, await dbCommands(m), n);
    process.stdout.write(`  (${n} tasks: ${rt.total.toFixed(2)} database round trips per task: ${rt.byName}; /api/stats polls included)\n`);
    process.stdout.write(`  (${n} tasks: database wait per task, ms, top commands: ${timePerTask(seconds0, await dbSeconds(m), n)})\n`);
    return { created, total, perSec: (n / total) * 1000, roundTrips: rt.total };
  } finally {
    await cluster.stop();
  }
}

const bench: Benchmark = {
  name: `task throughput (${N} \`true\` tasks created at once vs ${BASE}, 2 workers × 4 slots)`,
  async run(): Promise<Figure[]> {
    const base = N === BASE ? null : await runOnce(BASE, 'base');
    if (base) process.stdout.write(`  (${BASE} tasks: ${base.perSec.toFixed(2)} tasks/s, create all ${base.created} ms)\n`);
    const big = await runOnce(N, 'big');
    const figures: Figure[] = [
      { name: `create all ${N} (REST)`, value: big.created, unit: 'ms' },
      { name: 'create → all finished', value: big.total, unit: 'ms' },
      { name: 'database round trips per task', value: big.roundTrips, unit: 'commands', goal: '≤ 5' },
    ];
    figures.push(
      base
        ? { name: `throughput (${N} tasks)`, value: big.perSec, unit: 'tasks/s', goal: `≥ 0.8 × the ${BASE}-task run`, baseline: { name: `${BASE} tasks`, value: base.perSec } }
        : { name: `throughput (${N} tasks)`, value: big.perSec, unit: 'tasks/s' },
    );
    return figures;
  },
};

export default bench;
