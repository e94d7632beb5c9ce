import { join } from 'node:path';
import { insertArchived } from './archive-seed';
import { Benchmark, Figure, formatFigure, percentile, registerLibPaths } from './bench-kit';
import { Master, TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

/**
 * `npm run bench history`: the task history at 100k ended tasks (each with a log batch) and
 * 10k pending, seeded through the project's own repositories (TaskArchiveRepository and its
 * hourly log collections, TaskCountersService, TaskRepository) in batches of 1000, then the REST
 * reads the dashboard makes, p50/p99, beside the same calls on the empty history measured
 * first in this run. Then a retention pass removing half the history runs while tasks are
 * dispatched to a real worker: create→running during the purge against before it.
 *
 * The ended tasks are spread over the last 30 days (a month of use, ~140 an hour at 100k,
 * ~1400 at 1M); the pending ones target a node that does not exist, so they stay pending.
 *
 * The crowded hour (issue 21): BENCH_HISTORY_CROWDED (30k) tasks created within the last
 * minutes of the current hour, the way a burst arrives (ids made by the archive's id generator
 * at their creation times, as the master makes them, so past 256 per replica they go to
 * shelves), ended in shuffled order and archived in that order in batches of 1000. The same
 * burst with plain ObjectIds (how main stores it: one hour collection) is seeded into an hour
 * two days back; the same reads of both hours, in the same run, are the before/after.
 */
const ENDED = Number(process.env.BENCH_HISTORY_TASKS ?? 100_000);
/**
 * Past this many ended tasks the bulk of the history is seeded the fast way (`seedFast`): the
 * archive documents inserted straight into the collections the repositories write (hour
 * collections with their shelf marks, shelves), 1000 at a time, counted through
 * TaskCountersService, with a log only for the probed task. Through the repositories, with a
 * log batch per task, 1M took 15–55 min on this machine. BENCH_HISTORY_FAST_SEED=0/1 forces it.
 */
const FAST_SEED = process.env.BENCH_HISTORY_FAST_SEED ? process.env.BENCH_HISTORY_FAST_SEED === '1' : ENDED > 100_000;
const PENDING = Number(process.env.BENCH_HISTORY_PENDING ?? 10_000);
const SPAN_MS = 30 * 86_400_000;
const SAMPLES = Number(process.env.BENCH_HISTORY_SAMPLES ?? 20);
const SPIDERS = 50;
const NODES = 20;
const CROWDED = Number(process.env.BENCH_HISTORY_CROWDED ?? 30_000);
const BURST_SPIDERS = 5;
/** Shelf size of the seeded ids (the master's CRAWLNEST_TASK_SHELF_SIZE default: 256). */
const SHELF_SIZE = Number(process.env.BENCH_HISTORY_SHELF_SIZE ?? 256);
/** The crowded burst's creations span this long (or the current hour so far, if shorter). */
const BURST_MS = 10 * 60_000;
/** How the crowded hour's figures are named: the issue's goal is stated with 1,000,000 tasks in history. */
/** BENCH_HISTORY_OLD_LAYOUT=0: skip the crowded hour in one collection (its reads take seconds each, minutes in all). */
const OLD_LAYOUT = process.env.BENCH_HISTORY_OLD_LAYOUT !== '0';
const CROWD_LABEL = `crowded hour, with ${ENDED.toLocaleString('en-US')} tasks in history`;

type Libs = typeof import('../libs/task/src/master/task-archive.repository') &
  typeof import('../libs/task/src/master/task-counters.service') &
  typeof import('../libs/task/src/master/task-daily.service') &
  typeof import('../libs/task/src/master/task.repository') &
  typeof import('../libs/task/src/master/claim.repository') &
  typeof import('../libs/node/src/db-flavor') &
  typeof import('../libs/task/src/task.schema') &
  typeof import('../libs/task/src/archive-shelf') &
  typeof import('../libs/task/src/archive-bucket') &
  typeof import('../libs/task/src/task.types');

async function loadLibs(): Promise<Libs> {
  registerLibPaths();
  return {
    ...(await import('../libs/task/src/master/task-archive.repository')),
    ...(await import('../libs/task/src/master/task-counters.service')),
    ...(await import('../libs/task/src/master/task-daily.service')),
    ...(await import('../libs/task/src/master/task.repository')),
    ...(await import('../libs/task/src/master/claim.repository')),
    ...(await import('../libs/node/src/db-flavor')),
    ...(await import('../libs/task/src/task.schema')),
    ...(await import('../libs/task/src/archive-shelf')),
    ...(await import('../libs/task/src/archive-bucket')),
    ...(await import('../libs/task/src/task.types')),
  };
}

const hex = (n: number) => n.toString(16).padStart(24, '0');
const spiderOf = (i: number) => 'aa' + hex(i % SPIDERS).slice(2);
const nodeOf = (i: number) => 'bb' + hex(i % NODES).slice(2);
const STATUSES = ['finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'finished', 'error', 'cancelled'] as const;
const burstSpiderOf = (i: number) => 'dd' + hex(i % BURST_SPIDERS).slice(2);

/** An ended task as the archive stores it. */
function endedTask(_id: unknown, i: number, created: Date, spiderId: string) {
  const status = STATUSES[i % STATUSES.length];
  return {
    _id, spiderId, spiderVersion: 1, cmd: 'scrapy crawl x', param: '', mode: 'random' as const, nodeIds: [], labels: [], env: [],
    priority: 5, status, nodeId: nodeOf(i), attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: status === 'finished' ? 0 : 1,
    error: status === 'error' ? 'exit code 1' : null, createdAt: created, assignedAt: created, ackedAt: created, startedAt: created,
    finishedAt: new Date(created.getTime() + 2000), scheduleId: null, parentId: null, sync: null, attempts: [],
  };
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

type Crowded = { ms: number; hourEnd: string; legacyHourEnd: string; middle: string; legacyMiddle: string; shelved: string; spider: string; node: string };

/**
 * The crowded hour, twice: CROWDED tasks made by the id generator over the last minutes of
 * the current hour (shelves), and the same with plain ObjectIds two days back (one collection,
 * as before shelves). Each is archived in a shuffled end order, 1000 at a time, and counted.
 */
async function seedCrowded(uri: string, dbName: string): Promise<Crowded> {
  const L = await loadLibs();
  const mongoose = await import('mongoose');
  const conn = await mongoose.createConnection(uri, { dbName }).asPromise();
  try {
    const opts = { replicaId: 'bench-crowded', retention: { days: 0, max: 0, intervalMs: 60_000 } } as never;
    const archive = new L.TaskArchiveRepository(conn as never, new L.DbFlavor(conn as never));
    const counters = new L.TaskCountersService(conn as never, opts, new L.TaskDailyService(conn as never, opts));
    const start = Date.now();
    const now = Date.now() - 1000;
    const hour = L.bucketOfTime(now);
    const from = Math.max(L.bucketStartMs(hour), now - BURST_MS);
    const gen = new L.TaskIdGenerator(SHELF_SIZE);
    const marks = new Map<string, object>();
    const fresh = Array.from({ length: CROWDED }, (_, i) => {
      const at = from + Math.floor(((now - from) * i) / CROWDED);
      const { id, opens } = gen.next(at);
      // The creator's mark of each shelf, written before its first task exists (TaskArchiveRepository.newIds).
      if (opens) marks.set(opens.shelf, { _id: `shelf:${opens.shelf}`, shelfMark: true, shelf: opens.shelf, first: opens.first });
      return endedTask(new mongoose.Types.ObjectId(id), i, new Date(at), burstSpiderOf(i));
    });
    if (marks.size) await conn.db!.collection(L.archiveCollection(hour)).insertMany([...marks.values()] as never[]);
    const legacyFrom = from - 2 * 86_400_000;
    const old = Array.from({ length: CROWDED }, (_, i) => {
      const at = legacyFrom + Math.floor(((now - from) * i) / CROWDED);
      return endedTask(new mongoose.Types.ObjectId(mongoose.Types.ObjectId.generate(Math.floor(at / 1000))), i, new Date(at), burstSpiderOf(i));
    });
    for (const set of OLD_LAYOUT ? [fresh, old] : [fresh]) {
      const ended = shuffle([...set]);
      for (let b = 0; b < ended.length; b += 1000) {
        const batch = ended.slice(b, b + 1000);
        await archive.insertMany(batch as never);
        await counters.recordEndedMany(batch as never);
      }
    }
    const shelvedTask = fresh.find((t) => L.placeOfId(String(t._id)).shelf) ?? fresh[fresh.length - 1];
    return {
      ms: Date.now() - start,
      hourEnd: L.bucketCeilId(hour),
      legacyHourEnd: L.bucketCeilId(L.bucketOfId(String(old[0]._id))),
      middle: String(fresh[Math.floor(CROWDED / 2)]._id),
      legacyMiddle: String(old[Math.floor(CROWDED / 2)]._id),
      shelved: String(shelvedTask._id),
      spider: burstSpiderOf(2),
      node: nodeOf(3),
    };
  } finally {
    await conn.close();
  }
}

async function seed(uri: string, dbName: string): Promise<{ ms: number; oldId: string }> {
  const L = await loadLibs();
  const mongoose = await import('mongoose');
  const conn = await mongoose.createConnection(uri, { dbName }).asPromise();
  try {
    const opts = { replicaId: 'bench-seed', retention: { days: 0, max: 0, intervalMs: 60_000 } } as never;
    const flavor = new L.DbFlavor(conn as never);
    const archive = new L.TaskArchiveRepository(conn as never, flavor);
    const counters = new L.TaskCountersService(conn as never, opts, new L.TaskDailyService(conn as never, opts));
    const open = conn.model(L.TASK_MODEL, L.TaskSchema);
    const queue = conn.model(L.TASK_QUEUE_MODEL, L.TaskQueueSchema);
    const tasks = new L.TaskRepository(open as never, queue as never, archive, counters, new L.ClaimRepository(conn.model(L.TASK_CLAIM_MODEL, L.TaskClaimSchema) as never), flavor, conn as never, { replicaId: 'bench-seed' });
    const start = Date.now();
    const t0 = Date.now() - SPAN_MS;
    // Ids as the master makes them (an hour past 256 tasks spills into shelves); marks written like the creator's.
    const gen = new L.TaskIdGenerator(SHELF_SIZE);
    let oldId = '';
    if (FAST_SEED) {
      oldId = await seedFast(conn, gen, t0, counters, archive);
      await seedPending(tasks, now());
      return { ms: Date.now() - start, oldId };
    }
    for (let b = 0; b < ENDED / 1000; b++) {
      const batch = [];
      for (let i = b * 1000; i < (b + 1) * 1000; i++) {
        const created = new Date(t0 + Math.floor((i * SPAN_MS) / ENDED));
        const made = gen.next(created.getTime());
        if (made.opens) await conn.db!.collection(L.archiveCollection(made.opens.bucket)).insertOne({ _id: `shelf:${made.opens.shelf}`, shelfMark: true, shelf: made.opens.shelf, first: made.opens.first } as never);
        const _id = new mongoose.Types.ObjectId(made.id);
        if (i === Math.floor(ENDED / 10)) oldId = String(_id);
        const status = STATUSES[i % STATUSES.length];
        const finishedAt = new Date(created.getTime() + 2000);
        batch.push({
          _id, spiderId: spiderOf(i), spiderVersion: 1, cmd: 'scrapy crawl x', param: '', mode: 'random' as const, nodeIds: [], labels: [], env: [],
          priority: 5, status, nodeId: nodeOf(i), attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: status === 'finished' ? 0 : 1,
          error: status === 'error' ? 'exit code 1' : null, createdAt: created, assignedAt: created, ackedAt: created, startedAt: created,
          finishedAt, scheduleId: null, parentId: null, sync: null, attempts: [],
        });
      }
      await archive.insertMany(batch);
      // One log batch per task (5 lines), in the log collection of the task's hour (TaskArchiveRepository.logs).
      const byHour = new Map<string, { coll: Awaited<ReturnType<typeof archive.logs>>; docs: object[] }>();
      for (const t of batch) {
        const id = String(t._id);
        const coll = await archive.logs(id);
        const lines = [1, 2, 3, 4, 5].map((seq) => ({ seq, ts: t.createdAt, stream: 'stdout', text: `line ${seq} of task ${id}` }));
        const entry = byHour.get(coll.collectionName) ?? { coll, docs: [] };
        entry.docs.push({ _id: `${id}:1:1`, taskId: id, attempt: 1, from: 1, to: 5, lines });
        byHour.set(coll.collectionName, entry);
      }
      for (const { coll, docs } of byHour.values()) await coll.insertMany(docs as never[], { ordered: false });
      await counters.recordEndedMany(batch as never);
    }
    await seedPending(tasks, now());
    return { ms: Date.now() - start, oldId };
  } finally {
    await conn.close();
  }
}

const now = () => new Date();

/** PENDING tasks waiting for a node that does not exist, created through TaskRepository. */
async function seedPending(tasks: { insertMany(t: object[]): Promise<unknown> }, at: Date): Promise<void> {
  for (let b = 0; b < PENDING / 1000; b++) {
    await tasks.insertMany(
      Array.from({ length: 1000 }, (_, i) => ({
        spiderId: spiderOf(b * 1000 + i), spiderVersion: 1, cmd: 'true', param: '', mode: 'selected-nodes' as const, nodeIds: ['cc' + hex(1).slice(2)],
        labels: [], env: [], priority: 1, status: 'pending' as const, nodeId: null, attempt: 1, maxRetries: 0, timeoutSec: 0, exitCode: null,
        error: null, createdAt: at, assignedAt: null, ackedAt: null, startedAt: null, finishedAt: null, scheduleId: null, parentId: null, sync: null, attempts: [],
      })),
    );
  }
}

/**
 * The bulk of the history, fast: ENDED archive documents (endedTask, the shape the archive
 * stores) with ids as the master makes them, 1000 at a time, each batch inserted with one
 * insertMany per place (hour collection or shelf, as placeOfId names it) after the shelf marks
 * the creator writes (in the hour collection, with `first`); counted through
 * TaskCountersService like closed tasks. Only the probed task (ENDED/10) gets a log batch,
 * through the archive's log collection. Returns the probed task's id.
 */
async function seedFast(
  conn: import('mongoose').Connection,
  gen: InstanceType<Libs['TaskIdGenerator']>,
  t0: number,
  counters: InstanceType<Libs['TaskCountersService']>,
  archive: InstanceType<Libs['TaskArchiveRepository']>,
): Promise<string> {
  let oldId = '';
  for (let b = 0; b < ENDED / 1000; b++) {
    const from = b * 1000;
    const created = Array.from({ length: Math.min(ENDED, from + 1000) - from }, (_, k) => new Date(t0 + Math.floor(((from + k) * SPAN_MS) / ENDED)));
    const batch: ReturnType<typeof endedTask>[] = [];
    const ids = await insertArchived(conn.db!, gen, created, (id, k, at) => {
      const t = endedTask(id, from + k, at, spiderOf(from + k));
      batch.push(t);
      return t;
    });
    if (from <= ENDED / 10 && ENDED / 10 < from + ids.length) oldId = ids[Math.floor(ENDED / 10) - from];
    await counters.recordEndedMany(batch as never);
    if (b % 100 === 99) process.stdout.write(`~seeded ${(b + 1) * 1000} of ${ENDED} ended tasks\n`);
  }
  const logs = await archive.logs(oldId);
  const at = new Date(parseInt(oldId.slice(0, 8), 16) * 1000);
  const lines = [1, 2, 3, 4, 5].map((seq) => ({ seq, ts: at, stream: 'stdout', text: `line ${seq} of task ${oldId}` }));
  await logs.insertOne({ _id: `${oldId}:1:1`, taskId: oldId, attempt: 1, from: 1, to: 5, lines } as never);
  return oldId;
}

type Timed = { p50: number; p99: number };

async function timeCall(m: Master, path: string | (() => string), n = SAMPLES): Promise<Timed> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = typeof path === 'string' ? path : path();
    const t = process.hrtime.bigint();
    const r = await m.api.get(p);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** Follows nextAfter for `n` pages from the first page (the walk every later page takes). */
async function timeCursorWalk(m: Master, query: string, n = SAMPLES, from?: string): Promise<Timed & { pages: number }> {
  let after: string | null = (await m.api.get<{ nextAfter: string | null }>(`/api/tasks?size=20${query}${from ? `&after=${from}` : ''}`)).body.nextAfter;
  const ms: number[] = [];
  for (let i = 0; i < n && after; i++) {
    const t = process.hrtime.bigint();
    const r = await m.api.get<{ nextAfter: string | null }>(`/api/tasks?size=20&after=${after}${query}`);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    after = r.body.nextAfter;
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), pages: ms.length };
}

type Probe = { name: string; goal: number; path: string | (() => string) };

const bench: Benchmark = {
  name: `task history (${ENDED} ended tasks${FAST_SEED ? '' : ' with logs'}, ${PENDING} pending)`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-history');
    const figures: Figure[] = [];
    // Printed as measured too (prefixed `~`): a run cut short still shows what it got.
    const push = (...fs: Figure[]) => {
      for (const f of fs) process.stdout.write(`~${formatFigure(f)}\n`);
      figures.push(...fs);
    };
    try {
      let m = await cluster.startMaster({ CRAWLNEST_TASK_RETENTION_DAYS: '0' });
      const spider = spiderOf(7);
      const node = nodeOf(3);
      let oldId = '000000000000000000000000';
      let deepAfter = '';
      const probes: Probe[] = [
        { name: 'GET /api/tasks first page', goal: 100, path: '/api/tasks?size=20' },
        { name: 'GET /api/tasks?status=finished', goal: 200, path: '/api/tasks?size=20&status=finished' },
        { name: 'GET /api/tasks?status=cancelled', goal: 200, path: '/api/tasks?size=20&status=cancelled' },
        { name: 'GET /api/tasks?status=pending', goal: 200, path: '/api/tasks?size=20&status=pending' },
        { name: 'GET /api/tasks?spiderId', goal: 200, path: `/api/tasks?size=20&spiderId=${spider}` },
        { name: 'GET /api/tasks?nodeId', goal: 200, path: `/api/tasks?size=20&nodeId=${node}` },
        { name: 'GET /api/tasks?after=<a task 27 days old>', goal: 200, path: () => `/api/tasks?size=20&after=${deepAfter || oldId}` },
        { name: 'GET /api/tasks?page=5', goal: 200, path: '/api/tasks?size=20&page=5' },
        { name: 'GET /api/stats', goal: 100, path: '/api/stats' },
        { name: 'GET /api/stats/activity', goal: 100, path: '/api/stats/activity?minutes=60' },
        { name: 'GET /api/tasks/:id (27 days old)', goal: 100, path: () => `/api/tasks/${oldId}` },
        { name: 'GET /api/tasks/:id/logs (27 days old)', goal: 100, path: () => `/api/tasks/${oldId}/logs` },
      ];
      const empty = new Map<string, Timed>();
      for (const p of probes) if (!p.name.includes(':id')) empty.set(p.name, await timeCall(m, p.path, 10));

      const seeded = await seed(cluster.mongoUri, cluster.dbName);
      oldId = seeded.oldId;
      deepAfter = oldId;
      push({ name: `seeding ${ENDED} ended (${FAST_SEED ? 'fast: archive documents only' : '+logs, through the repositories'}) and ${PENDING} pending, batches of 1000`, value: seeded.ms / 1000, unit: 's' });
      await waitFor('the master sees the seeded history', async () => (await m.api.get('/api/stats')).body.tasks.finished > 0, 60_000, 500);
      for (const p of probes) {
        const t = await timeCall(m, p.path);
        const base = empty.get(p.name);
        push({ name: `${p.name} p50`, value: t.p50, unit: 'ms', baseline: base ? { name: 'empty history', value: base.p50 } : undefined });
        push({ name: `${p.name} p99`, value: t.p99, unit: 'ms', goal: `<= ${p.goal} ms`, baseline: base ? { name: 'empty history', value: base.p99 } : undefined });
      }
      for (const [label, q] of [['all', ''], ['spiderId', `&spiderId=${spider}`], ['status=error', '&status=error']] as const) {
        const w = await timeCursorWalk(m, q);
        push({ name: `cursor walk (${label}), ${w.pages} pages, per page p99`, value: w.p99, unit: 'ms', goal: '<= 200 ms' });
      }
      const stats = (await m.api.get('/api/stats')).body;
      push({ name: 'stats: finished+error+cancelled as counted', value: stats.tasks.finished + stats.tasks.error + stats.tasks.cancelled, unit: 'tasks', goal: `= ${ENDED}` });

      if (CROWDED > 0) {
        // Issue 21: an hour that ended CROWDED tasks, on top of the history above; p99 <= 100 ms each.
        const c = await seedCrowded(cluster.mongoUri, cluster.dbName);
        push({ name: `seeding the crowded hour: ${CROWDED} in shelves${OLD_LAYOUT ? ` + ${CROWDED} in one collection (old layout)` : ''}`, value: c.ms / 1000, unit: 's' });
        await waitFor('the master sees the crowded hour', async () => (await m.api.get<{ total: number }>(`/api/tasks?size=1&spiderId=${c.spider}`)).body.total > 0, 60_000, 500);
        const crowdedProbes: { name: string; path: (end: string, middle: string) => string }[] = [
          { name: 'first page', path: (end) => `/api/tasks?size=20&after=${end}` },
          { name: '?status=finished', path: (end) => `/api/tasks?size=20&status=finished&after=${end}` },
          { name: '?status=error', path: (end) => `/api/tasks?size=20&status=error&after=${end}` },
          { name: '?spiderId', path: (end) => `/api/tasks?size=20&spiderId=${c.spider}&after=${end}` },
          { name: '?nodeId', path: (end) => `/api/tasks?size=20&nodeId=${c.node}&after=${end}` },
          { name: '?after=<the middle of the hour>', path: (_end, middle) => `/api/tasks?size=20&after=${middle}` },
        ];
        if (PENDING === 0) {
          // Nothing newer than the crowded hour: the dashboard's first page is its first page.
          const t = await timeCall(m, '/api/tasks?size=20');
          push({ name: `${CROWD_LABEL}: GET /api/tasks (first page) p50`, value: t.p50, unit: 'ms' });
          push({ name: `${CROWD_LABEL}: GET /api/tasks (first page) p99`, value: t.p99, unit: 'ms', goal: '<= 100 ms' });
        }
        for (const p of crowdedProbes) {
          const t = await timeCall(m, p.path(c.hourEnd, c.middle));
          const old = OLD_LAYOUT ? await timeCall(m, p.path(c.legacyHourEnd, c.legacyMiddle), Math.min(3, SAMPLES)) : null;
          push({ name: `${CROWD_LABEL}: ${p.name} p50`, value: t.p50, unit: 'ms', baseline: old ? { name: 'old layout', value: old.p50 } : undefined });
          push({ name: `${CROWD_LABEL}: ${p.name} p99`, value: t.p99, unit: 'ms', goal: '<= 100 ms', baseline: old ? { name: 'old layout', value: old.p99 } : undefined });
        }
        for (const [label, q] of [['all', ''], ['status=error', '&status=error'], ['nodeId', `&nodeId=${c.node}`], ['spiderId', `&spiderId=${c.spider}`]] as const) {
          const w = await timeCursorWalk(m, q, SAMPLES, c.hourEnd);
          const old = OLD_LAYOUT ? await timeCursorWalk(m, q, 2, c.legacyHourEnd) : null;
          push({ name: `${CROWD_LABEL}: cursor walk (${label}), ${w.pages} pages, per page p50`, value: w.p50, unit: 'ms', baseline: old ? { name: 'old layout', value: old.p50 } : undefined });
          push({ name: `${CROWD_LABEL}: cursor walk (${label}), per page p99`, value: w.p99, unit: 'ms', goal: '<= 100 ms', baseline: old ? { name: 'old layout', value: old.p99 } : undefined });
        }
        const byId = await timeCall(m, `/api/tasks/${c.shelved}`);
        push({ name: `${CROWD_LABEL}: GET /api/tasks/:id (a task in a shelf) p99`, value: byId.p99, unit: 'ms', goal: '<= 100 ms' });
        const s2 = (await m.api.get('/api/stats')).body;
        push({ name: 'stats after the crowded hour: ended as counted', value: s2.tasks.finished + s2.tasks.error + s2.tasks.cancelled, unit: 'tasks', goal: `= ${ENDED + (OLD_LAYOUT ? 2 : 1) * CROWDED}` });
      }

      if (process.env.BENCH_HISTORY_PURGE === '0') return figures;
      // Retention while dispatching: create→running of `true` tasks before and during a purge of 15 of the 30 days.
      const worker = await cluster.startWorker({ masters: [m], name: 'hw1' });
      await cluster.waitNodeReady(m.api, 'hw1');
      const spiderId = (await m.api.post('/api/spiders', { name: 'hist-true', cmd: 'true' })).body.id;
      const runOne = async (): Promise<number> => {
        const id = (await m.api.post('/api/tasks', { spiderId, priority: 10 })).body.tasks[0].id;
        const t = await waitFor('probe task running', async () => {
          const r = (await m.api.get(`/api/tasks/${id}`)).body;
          return r.startedAt ? r : undefined;
        }, 60_000, 10);
        return new Date(t.startedAt).getTime() - new Date(t.createdAt).getTime();
      };
      const before: number[] = [];
      for (let i = 0; i < 15; i++) before.push(await runOne());
      m.env.CRAWLNEST_TASK_RETENTION_DAYS = '15';
      m.env.CRAWLNEST_TASK_RETENTION_INTERVAL_MS = '1000';
      await cluster.restartMaster(m, 'SIGTERM');
      await cluster.waitNodeReady(m.api, 'hw1');
      const purgeStart = Date.now();
      const during: number[] = [];
      const target = Math.ceil(ENDED / 2) + 200;
      let finished = Infinity;
      while (Date.now() - purgeStart < 600_000) {
        during.push(await runOne());
        const s = (await m.api.get('/api/stats')).body;
        finished = s.tasks.finished + s.tasks.error + s.tasks.cancelled;
        if (finished <= target) break;
      }
      push({ name: 'retention: ended tasks left after purging 15 of 30 days', value: finished, unit: 'tasks', goal: `~ ${ENDED / 2}` });
      push({ name: 'retention: purge time (restart included)', value: (Date.now() - purgeStart) / 1000, unit: 's' });
      push({ name: `create→running p50 during the purge (${during.length} tasks)`, value: percentile(during, 50), unit: 'ms', baseline: { name: 'before', value: percentile(before, 50) } });
      push({ name: 'create→running p99 during the purge', value: percentile(during, 99), unit: 'ms', baseline: { name: 'before', value: percentile(before, 99) } });
      void worker;
      m = cluster.masters[0];
      return figures;
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
