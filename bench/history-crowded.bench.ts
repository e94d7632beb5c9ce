import { join } from 'node:path';
import { Benchmark, Figure, formatFigure, percentile } from './bench-kit';
import { Master, TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

/**
 * `npm run bench history` (also alone: `npm run bench history-crowded`): the task history when
 * one hour ended 30k tasks (a crawl fan-out's burst), on top of a history spread over 30 days.
 *
 * The burst is stored the way a real one arrives: each task through `TaskArchiveRepository.insert`
 * (the close path's archive insert), in the order the tasks end, 8 at a time, created over the
 * previous hour with run times of seconds to minutes (one in ten runs up to 20 minutes, so
 * shelves hold overlapping id ranges). The older history is bulk-seeded (`insertMany`: full,
 * sealed shelves). Then the REST reads, p50/p99 over `BENCH_HISTORY_SAMPLES` calls, beside the
 * read the previous layout made for the same page (the whole hour collection read with the
 * filter, then sorted), timed on the same 30k tasks stored that way in this run.
 */
const CROWDED = Number(process.env.BENCH_HISTORY_CROWDED ?? 30_000);
const HISTORY = Number(process.env.BENCH_HISTORY_CROWDED_HISTORY ?? 100_000);
const SAMPLES = Number(process.env.BENCH_HISTORY_SAMPLES ?? 20);
const BASELINE_SAMPLES = Number(process.env.BENCH_HISTORY_BASELINE_SAMPLES ?? 3);
const SPAN_MS = 30 * 86_400_000;
const HOUR_MS = 3_600_000;
const SPIDERS = 50;
const NODES = 20;
const STATUSES = ['finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'error', 'cancelled'] as const;

type Libs = typeof import('../libs/task/src/master/task-archive.repository') &
  typeof import('../libs/task/src/master/task-counters.service') &
  typeof import('../libs/task/src/master/db-flavor') &
  typeof import('../libs/task/src/archive-bucket');

async function loadLibs(): Promise<Libs> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsconfigPaths = require('tsconfig-paths') as typeof import('tsconfig-paths');
  tsconfigPaths.register({ baseUrl: join(__dirname, '..'), paths: { '@crawlnest/*': ['libs/*/src'] } });
  return {
    ...(await import('../libs/task/src/master/task-archive.repository')),
    ...(await import('../libs/task/src/master/task-counters.service')),
    ...(await import('../libs/task/src/master/db-flavor')),
    ...(await import('../libs/task/src/archive-bucket')),
  };
}

const hex = (n: number) => n.toString(16).padStart(24, '0');
const spiderOf = (i: number) => 'aa' + hex(i % SPIDERS).slice(2);
const nodeOf = (i: number) => 'bb' + hex(i % NODES).slice(2);

type Mongoose = typeof import('mongoose');
type Ended = Record<string, unknown> & { _id: InstanceType<Mongoose['Types']['ObjectId']>; finishedAt: Date };

function endedTask(mongoose: Mongoose, i: number, createdMs: number, runMs: number): Ended {
  const created = new Date(createdMs);
  const status = STATUSES[i % STATUSES.length];
  return {
    _id: new mongoose.Types.ObjectId(mongoose.Types.ObjectId.generate(Math.floor(createdMs / 1000))),
    spiderId: spiderOf(i), spiderVersion: 1, cmd: 'scrapy crawl x', param: '', mode: 'random', nodeIds: [], labels: [], env: [],
    priority: 5, status, nodeId: nodeOf(i), attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: status === 'finished' ? 0 : 1,
    error: status === 'error' ? 'exit code 1' : null, createdAt: created, assignedAt: created, ackedAt: created, startedAt: created,
    finishedAt: new Date(createdMs + runMs), scheduleId: null, parentId: null, sync: null, attempts: [],
  };
}

type Seeded = { crowdedIds: string[]; historyMs: number; crowdedMs: number; oldDb: string; hour: string };

async function seed(uri: string, dbName: string): Promise<Seeded> {
  const L = await loadLibs();
  const mongoose = await import('mongoose');
  const conn = await mongoose.createConnection(uri, { dbName }).asPromise();
  try {
    const opts = { replicaId: 'bench-seed', retention: { days: 0, max: 0, intervalMs: 60_000 } } as never;
    const archive = new L.TaskArchiveRepository(conn as never, new L.DbFlavor(conn as never));
    const counters = new L.TaskCountersService(conn as never, opts);
    const now = Date.now();
    const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS - HOUR_MS; // the previous hour: the newest hour with tasks
    // Older history: a month before the burst's hour, bulk-stored into sealed shelves.
    let t = Date.now();
    const t0 = hourStart - SPAN_MS;
    for (let b = 0; b < HISTORY; b += 1000) {
      const batch = Array.from({ length: Math.min(1000, HISTORY - b) }, (_, k) => endedTask(mongoose, b + k, t0 + Math.floor(((b + k) * (SPAN_MS - HOUR_MS)) / HISTORY), 2000));
      await archive.insertMany(batch as never);
      await counters.recordEndedMany(batch as never);
    }
    const historyMs = Date.now() - t;
    // The burst: created over the hour, stored in the order they end, 8 inserts in flight.
    const burst = Array.from({ length: CROWDED }, (_, i) => {
      const runMs = i % 10 === 3 ? 60_000 + ((i * 7919) % 1_140_000) : 1000 + ((i * 104729) % 59_000);
      return endedTask(mongoose, i, hourStart + Math.floor((i * (HOUR_MS - 1000)) / CROWDED), runMs);
    }).sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
    t = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < burst.length) await archive.insert(burst[next++] as never, true);
      }),
    );
    for (let b = 0; b < burst.length; b += 1000) await counters.recordEndedMany(burst.slice(b, b + 1000) as never);
    const crowdedMs = Date.now() - t;
    // The previous layout, for the baseline: the same 30k tasks in one hour collection.
    const oldDb = `${dbName}_old`;
    const old = conn.getClient().db(oldDb).collection(L.archiveCollection(L.bucketOfTime(hourStart)));
    for (let b = 0; b < burst.length; b += 1000) await old.insertMany(burst.slice(b, b + 1000) as never[]);
    return { crowdedIds: burst.map((x) => String(x._id)), historyMs, crowdedMs, oldDb, hour: L.bucketOfTime(hourStart) };
  } finally {
    await conn.close();
  }
}

type Timed = { p50: number; p99: number; first: number; steadyP99: number };

async function time(n: number, call: () => Promise<unknown>): Promise<Timed> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  // The first call is a replica's first read of the hour (its directory loaded whole): shown apart.
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), first: ms[0], steadyP99: percentile(ms.slice(1), 99) };
}

async function get(m: Master, path: string): Promise<{ items: { id: string }[]; nextAfter: string | null }> {
  const r = await m.api.get(path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The previous layout's read of one page: the hour collection read whole with the filter, sorted, 20 taken. */
async function oldPage(uri: string, db: string, hour: string, filter: Record<string, string>): Promise<Timed> {
  const mongoose = await import('mongoose');
  const client = await new mongoose.mongo.MongoClient(uri).connect();
  try {
    const coll = client.db(db).collection(`task_archive_${hour}`);
    return await time(BASELINE_SAMPLES, async () => {
      const rows = await coll.find(filter).toArray();
      rows.sort((a, b) => (String(a._id) < String(b._id) ? 1 : -1)).slice(0, 20);
    });
  } finally {
    await client.close();
  }
}

async function archiveTables(uri: string, db: string): Promise<number> {
  const mongoose = await import('mongoose');
  const client = await new mongoose.mongo.MongoClient(uri).connect();
  try {
    return (await client.db(db).listCollections({}, { nameOnly: true }).toArray()).filter((c) => c.name.startsWith('task_archive_')).length;
  } finally {
    await client.close();
  }
}

const bench: Benchmark = {
  name: `task history, crowded hour (${CROWDED} ended in one hour, ${HISTORY} over 30 days before it)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-history-crowded');
    const figures: Figure[] = [];
    const push = (...fs: Figure[]) => {
      for (const f of fs) process.stdout.write(`~${formatFigure(f)}\n`);
      figures.push(...fs);
    };
    try {
      const m = await cluster.startMaster({ CRAWLNEST_TASK_RETENTION_DAYS: '0' });
      const s = await seed(cluster.mongoUri, cluster.dbName);
      push({ name: `seeding ${HISTORY} older tasks (insertMany, batches of 1000)`, value: s.historyMs / 1000, unit: 's' });
      push({ name: `storing the ${CROWDED}-task burst through insert(), 8 in flight`, value: s.crowdedMs / 1000, unit: 's' });
      push({ name: 'burst store rate', value: CROWDED / (s.crowdedMs / 1000), unit: 'tasks/s' });
      await waitFor('the master counts the seeded history', async () => (await m.api.get('/api/stats')).body.tasks.finished > 0, 60_000, 500);

      const spider = spiderOf(7);
      const node = nodeOf(3);
      const mid = s.crowdedIds.slice().sort()[Math.floor(CROWDED / 2)];
      const probes: { name: string; path: string | (() => string); old?: Record<string, string> }[] = [
        { name: 'GET /api/tasks first page', path: '/api/tasks?size=20', old: {} },
        { name: 'GET /api/tasks?status=finished', path: '/api/tasks?size=20&status=finished', old: { status: 'finished' } },
        { name: 'GET /api/tasks?status=error', path: '/api/tasks?size=20&status=error', old: { status: 'error' } },
        { name: 'GET /api/tasks?spiderId (1 in 50)', path: `/api/tasks?size=20&spiderId=${spider}`, old: { spiderId: spider } },
        { name: 'GET /api/tasks?nodeId (1 in 20)', path: `/api/tasks?size=20&nodeId=${node}`, old: { nodeId: node } },
        { name: 'GET /api/tasks?after=<mid-hour>', path: `/api/tasks?size=20&after=${mid}` },
        { name: 'GET /api/tasks/:id (a burst task)', path: () => `/api/tasks/${s.crowdedIds[Math.floor(Math.random() * CROWDED)]}` },
      ];
      for (const p of probes) {
        const t = await time(SAMPLES, () => get(m, typeof p.path === 'string' ? p.path : p.path()));
        const base = p.old ? await oldPage(cluster.mongoUri, s.oldDb, s.hour, p.old) : undefined;
        const baseline = (v: number) => (base ? { name: 'previous layout, same hour', value: v } : undefined);
        push({ name: `${p.name} p50`, value: t.p50, unit: 'ms', baseline: baseline(base?.p50 ?? 0) });
        push({ name: `${p.name} p99`, value: t.p99, unit: 'ms', goal: '<= 100 ms', baseline: baseline(base?.p99 ?? 0) });
        push({ name: `${p.name}: first call / p99 of the others`, value: Math.round(t.first), unit: `ms / ${Math.round(t.steadyP99)} ms` });
      }
      for (const [label, q] of [['all', ''], ['status=error', '&status=error'], ['spiderId', `&spiderId=${spider}`], ['nodeId', `&nodeId=${node}`]] as const) {
        let after = (await get(m, `/api/tasks?size=20${q}`)).nextAfter;
        const ms: number[] = [];
        const seen = new Set<string>();
        for (let i = 0; i < SAMPLES && after; i++) {
          const t = process.hrtime.bigint();
          const page = await get(m, `/api/tasks?size=20&after=${after}${q}`);
          ms.push(Number(process.hrtime.bigint() - t) / 1e6);
          for (const it of page.items) seen.add(it.id);
          after = page.nextAfter;
        }
        push({ name: `cursor walk (${label}), ${ms.length} pages, per page p99`, value: percentile(ms, 99), unit: 'ms', goal: '<= 100 ms' });
      }
      const names = (await m.api.get('/api/health')).status === 200 ? await archiveTables(cluster.mongoUri, cluster.dbName) : 0;
      push({ name: 'archive tables (shelves + hour directories) after seeding', value: names, unit: 'tables' });
      const stats = (await m.api.get('/api/stats')).body;
      push({ name: 'stats: ended tasks as counted', value: stats.tasks.finished + stats.tasks.error + stats.tasks.cancelled, unit: 'tasks', goal: `= ${HISTORY + CROWDED}` });
      return figures;
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
