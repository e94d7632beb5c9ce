import { join } from 'node:path';
import { Benchmark, Figure, formatFigure, percentile, registerLibPaths } from './bench-kit';

/**
 * `npm run bench log-read`: one task's log page costs the same whatever other tasks logged
 * (issue 15: p99 <= 100 ms with 1M stored lines). 1M lines are stored through the project's
 * own TaskLogRepository, all in one creation hour: many small tasks (100 lines each, sent as
 * the worker does, one batch per task) interleaved with one task of 300k lines (1000-line
 * batches, as a busy worker ships them), then one small task of 1 line, stored last (the
 * worst place for a scan that stops at its match). The same lines are also stored the way
 * they were before (one document per append in the hour collection, another database of the
 * same FerretDB), and every page is read both ways: p50/p99 beside the old query shape
 * (`find({taskId, attempt, to > after}).sort({from: 1})`) measured in the same run.
 */
const TOTAL = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
const BIG = Number(process.env.BENCH_LOG_BIG ?? 300_000);
const SMALL_LINES = 100;
const BATCH = 1000;
const SAMPLES = Number(process.env.BENCH_LOG_SAMPLES ?? 20);
const BASELINE_SAMPLES = Number(process.env.BENCH_LOG_BASELINE_SAMPLES ?? 3);
const PAGE = 1000;

type Libs = typeof import('../libs/task/src/master/task-archive.repository') &
  typeof import('../libs/task/src/master/task-log.repository') &
  typeof import('../libs/node/src/db-flavor');

async function loadLibs(): Promise<Libs> {
  registerLibPaths();
  return { ...(await import('../libs/task/src/master/task-archive.repository')), ...(await import('../libs/task/src/master/task-log.repository')), ...(await import('../libs/node/src/db-flavor')) };
}

/** Ids of one hour: the same 4-byte timestamp, a counter in the rest. */
const HOUR_TS = Math.floor(Date.UTC(2026, 10, 29, 21, 10) / 1000).toString(16);
const taskId = (n: number) => HOUR_TS + n.toString(16).padStart(16, '0');
const text = (task: number, seq: number) => `2026-11-29 21:10:00 [crawler.${task % 50}] INFO fetched https://example.test/p/${seq} (200) in 12 ms`;

type Line = { seq: number; ts: Date; stream: string; text: string };
const lines = (task: number, from: number, to: number): Line[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, ts: new Date(), stream: 'stdout', text: text(task, from + i) }));

async function timeReads(n: number, read: () => Promise<number>, expect: number): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const got = await read();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (got !== expect) throw new Error(`read ${got} lines, expected ${expect}`);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const bench: Benchmark = {
  name: `log page reads (${TOTAL} lines in one hour: one task of ${BIG}, the rest in tasks of ${SMALL_LINES})`,
  async run(): Promise<Figure[]> {
    const uri = process.env.CRAWLNEST_E2E_MONGO_URI;
    if (!uri) throw new Error('CRAWLNEST_E2E_MONGO_URI unset (run through bench/run.ts)');
    const L = await loadLibs();
    const mongoose = await import('mongoose');
    const conn = await mongoose.createConnection(uri, { dbName: 'bench_log_read' }).asPromise();
    const oldConn = await mongoose.createConnection(uri, { dbName: 'bench_log_read_old' }).asPromise();
    const figures: Figure[] = [];
    const push = (f: Figure) => {
      process.stdout.write(`~${formatFigure(f)}\n`); // as measured: a run cut short still shows what it got
      figures.push(f);
    };
    try {
      const archive = new L.TaskArchiveRepository(conn as never, new L.DbFlavor(conn as never));
      const logs = new L.TaskLogRepository(archive);
      const big = 0;
      const smalls = Math.floor((TOTAL - BIG - 1) / SMALL_LINES);
      const rounds = Math.ceil(BIG / BATCH);
      const oldColl = oldConn.collection(`task_logs_${new Date(parseInt(HOUR_TS, 16) * 1000).toISOString().slice(0, 13).replace(/[-T]/g, '')}`);
      let appendMs = 0;
      /** Stores a batch through the repository (timed), and as one document in the old layout (untimed). */
      const store = async (task: number, ls: Line[]) => {
        const t = Date.now();
        await logs.append(taskId(task), 1, ls);
        appendMs += Date.now() - t;
        const from = ls[0].seq;
        await oldColl.insertOne({ _id: `${taskId(task)}:1:${from}`, taskId: taskId(task), attempt: 1, from, to: ls[ls.length - 1].seq, lines: ls } as never);
      };
      let next = 1;
      for (let r = 0; r < rounds; r++) {
        const from = r * BATCH + 1;
        await store(big, lines(big, from, Math.min(from + BATCH - 1, BIG)));
        for (const end = Math.floor(((r + 1) * smalls) / rounds); next <= end; next++) await store(next, lines(next, 1, SMALL_LINES));
      }
      const tiny = smalls + 1;
      await store(tiny, lines(tiny, 1, 1));
      const stored = BIG + smalls * SMALL_LINES + 1;
      push({ name: `storing ${stored} lines through TaskLogRepository.append (${smalls + 1 + rounds} calls)`, value: appendMs / 1000, unit: 's' });
      const tables = (await conn.db?.listCollections({}, { nameOnly: true }).toArray())?.length ?? 0;
      push({ name: 'log collections of the hour (directory + bounded tables)', value: tables, unit: 'collections' });

      const coll = oldColl;
      /** The query shape before this change, on the same documents. */
      const oldPage = async (id: string, after: number, limit: number): Promise<number> => {
        let n = 0;
        const cursor = coll.find<{ lines: Line[] }>({ taskId: id, attempt: 1, to: { $gt: after } }, { projection: { lines: 1 }, sort: { from: 1 } });
        try {
          for await (const doc of cursor) {
            for (const l of doc.lines) if (l.seq > after && n < limit) n++;
            if (n >= limit) break;
          }
        } finally {
          await cursor.close();
        }
        return n;
      };
      const probes: { name: string; id: string; after: number; expect: number }[] = [
        { name: `first page of the ${BIG}-line task`, id: taskId(big), after: 0, expect: PAGE },
        { name: `middle page (after=${BIG / 2 + 123})`, id: taskId(big), after: BIG / 2 + 123, expect: PAGE },
        { name: `last page (after=${BIG - 400})`, id: taskId(big), after: BIG - 400, expect: 400 },
        { name: 'the 1-line log of a small task stored last', id: taskId(tiny), after: 0, expect: 1 },
        { name: 'a small task stored in the middle', id: taskId(Math.floor(smalls / 2)), after: 0, expect: SMALL_LINES },
      ];
      const cached = await timeReads(SAMPLES, async () => (await logs.page(taskId(big), 1, BIG / 2 + 123, PAGE)).length, PAGE);
      push({ name: 'middle page, read by the replica that stored it (stride marks cached) p99', value: cached.p99, unit: 'ms', goal: '<= 100 ms' });
      for (const p of probes) {
        const base = await timeReads(BASELINE_SAMPLES, () => oldPage(p.id, p.after, PAGE), p.expect);
        // A fresh repository per read: a replica that never saw the task (no stride marks cached), the dearest case.
        const now = await timeReads(SAMPLES, async () => (await new L.TaskLogRepository(archive).page(p.id, 1, p.after, PAGE)).length, p.expect);
        push({ name: `${p.name} p50`, value: now.p50, unit: 'ms', baseline: { name: 'old query', value: base.p50 } });
        push({ name: `${p.name} p99`, value: now.p99, unit: 'ms', goal: '<= 100 ms', baseline: { name: 'old query', value: base.p99 } });
      }
      return figures;
    } finally {
      for (const c of [conn, oldConn]) {
        await c.dropDatabase().catch((err: unknown) => process.stdout.write(`  (could not drop a bench database: ${String(err)})\n`));
        await c.close();
      }
    }
  },
};

export default bench;
