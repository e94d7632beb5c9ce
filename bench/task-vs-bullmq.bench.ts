import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Benchmark, Figure, percentile } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { dbCommands, perTask, taskReports } from './db-commands';
import { freePort, waitFor } from '../test/support/wait';

const LATENCY_TASKS = 200;
const THROUGHPUT_TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const WORKERS = 2;
const SLOTS = 4;

type Result = { latencies: number[]; throughputMs: number; roundTripsPerTask?: number };

async function crawlnest(): Promise<Result> {
  const cluster = new TestCluster('bench-vs-bullmq');
  try {
    const m = await cluster.startMaster();
    for (let i = 0; i < WORKERS; i++) await cluster.startWorker({ masters: [m], name: `w${i}`, env: { CRAWLNEST_MAX_RUNNERS: String(SLOTS) } });
    for (let i = 0; i < WORKERS; i++) await cluster.waitNodeReady(m.api, `w${i}`);
    const spiderId = (await m.api.post('/api/spiders', { name: 'b', cmd: 'true' })).body.id;
    const ids: string[] = [];
    for (let i = 0; i < LATENCY_TASKS; i++) {
      ids.push((await m.api.post('/api/tasks', { spiderId })).body.tasks[0].id);
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor('latency tasks finished', async () => (await m.api.get('/api/stats')).body.tasks.finished === LATENCY_TASKS, 300_000, 200);
    const latencies: number[] = [];
    for (const id of ids) {
      const t = (await m.api.get(`/api/tasks/${id}`)).body;
      latencies.push(new Date(t.startedAt).getTime() - new Date(t.createdAt).getTime());
    }
    const commands0 = await dbCommands(m);
    const reports0 = await taskReports(m);
    let statsPolls = 0;
    const t0 = Date.now();
    for (let i = 0; i < THROUGHPUT_TASKS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, THROUGHPUT_TASKS - i) }, () => m.api.post('/api/tasks', { spiderId })));
    }
    await waitFor('throughput tasks finished', async () => {
      statsPolls++;
      return (await m.api.get('/api/stats')).body.tasks.finished === LATENCY_TASKS + THROUGHPUT_TASKS;
    }, 1_200_000, 200);
    const throughputMs = Date.now() - t0;
    const rt = perTask(commands0, await dbCommands(m), THROUGHPUT_TASKS);
    // The bench's own /api/stats polls are included (each a few commands); printed so they can be told apart.
    process.stdout.write(`  (crawlnest: ${rt.total.toFixed(2)} database round trips per task over ${THROUGHPUT_TASKS} tasks: ${rt.byName}; ${statsPolls} /api/stats polls included)\n`);
    // Worker reports per task (an Ack beside the Started means the start did not carry it).
    process.stdout.write(`  (crawlnest: worker reports per task: ${perTask(reports0, await taskReports(m), THROUGHPUT_TASKS).byName})\n`);
    return { latencies, throughputMs, roundTripsPerTask: rt.total };
  } finally {
    await cluster.stop();
  }
}

/** The same work through BullMQ: a Redis on loopback, workers spawning the same command. */
async function bullmq(): Promise<Result | string> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server not installed (apt-get install redis-server); BullMQ baseline skipped';
  const { Queue, Worker, QueueEvents } = await import('bullmq');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queue = new Queue('bench', { connection });
  const workers: { close(): Promise<void> }[] = [];
  try {
    await waitFor('redis up', async () => {
      try {
        await queue.getJobCounts();
        return true;
      } catch {
        return false;
      }
    }, 10_000);
    const runTrue = () =>
      new Promise<void>((resolve, reject) => {
        const p = spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' });
        p.once('error', reject);
        p.once('close', () => resolve());
      });
    for (let i = 0; i < WORKERS; i++) workers.push(new Worker('bench', runTrue, { connection, concurrency: SLOTS }));
    const events = new QueueEvents('bench', { connection });
    await events.waitUntilReady();
    let completed = 0;
    events.on('completed', () => completed++);
    const latJobs = [];
    for (let i = 0; i < LATENCY_TASKS; i++) {
      latJobs.push(await queue.add('t', {}));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor('bullmq latency jobs done', () => completed >= LATENCY_TASKS, 300_000, 50);
    const latencies: number[] = [];
    for (const j of latJobs) {
      const job = await queue.getJob(j.id as string);
      latencies.push((job?.processedOn ?? NaN) - (job?.timestamp ?? NaN));
    }
    const t0 = Date.now();
    for (let i = 0; i < THROUGHPUT_TASKS; i += 50) {
      await queue.addBulk(Array.from({ length: Math.min(50, THROUGHPUT_TASKS - i) }, () => ({ name: 't', data: {} })));
    }
    await waitFor('bullmq throughput jobs done', () => completed >= LATENCY_TASKS + THROUGHPUT_TASKS, 1_200_000, 50);
    const throughputMs = Date.now() - t0;
    await events.close();
    return { latencies, throughputMs };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: `tasks vs BullMQ (${WORKERS} workers × ${SLOTS} slots; latency over ${LATENCY_TASKS} tasks, throughput of ${THROUGHPUT_TASKS} \`true\` tasks)`,
  async run(): Promise<Figure[]> {
    const c = await crawlnest();
    // Printed first, so a failing baseline never loses the figures already measured.
    process.stdout.write(`  (crawlnest: p50 ${percentile(c.latencies, 50)} ms, p99 ${percentile(c.latencies, 99)} ms, ${((THROUGHPUT_TASKS / c.throughputMs) * 1000).toFixed(2)} tasks/s)\n`);
    const b = await bullmq();
    const base = (name: string, v: (r: Result) => number) => (typeof b === 'string' ? undefined : { name, value: v(b) });
    const figures: Figure[] = [
      { name: 'create→running p50', value: percentile(c.latencies, 50), unit: 'ms', baseline: base('BullMQ', (r) => percentile(r.latencies, 50)) },
      { name: 'create→running p99', value: percentile(c.latencies, 99), unit: 'ms', baseline: base('BullMQ', (r) => percentile(r.latencies, 99)) },
      { name: `throughput (${THROUGHPUT_TASKS} tasks)`, value: (THROUGHPUT_TASKS / c.throughputMs) * 1000, unit: 'tasks/s', baseline: base('BullMQ', (r) => (THROUGHPUT_TASKS / r.throughputMs) * 1000) },
    ];
    if (c.roundTripsPerTask !== undefined) figures.push({ name: 'database round trips per task (driver command monitoring)', value: c.roundTripsPerTask, unit: 'commands' });
    if (typeof b === 'string') figures.push({ name: b, value: 0, unit: '' });
    return figures;
  },
};

export default bench;
