import mongoose from 'mongoose';
import { join } from 'node:path';
import { Benchmark, Figure, percentile, registerLibPaths } from './bench-kit';
import { TestCluster, Master } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';
import { dbCommands, dbSeconds, perTask, timePerTask } from './db-commands';

/** Items in the big spider (the rest of BURST seeded straight into the layout the ingest writes). */
const N = Number(process.env.BENCH_BROWSE_ITEMS ?? 1_000_000);
/** Items one task writes through the real path (worker → gRPC → ingest), in seconds. */
const BURST = Number(process.env.BENCH_BROWSE_BURST ?? 100_000);
/** BENCH_BROWSE_READS=0: ingest figures only. */
const SMALL = Number(process.env.BENCH_BROWSE_SMALL ?? 10_000);
const READS = Number(process.env.BENCH_BROWSE_READS ?? 30);
/** Items one task writes into a spider without dedup (the ingest ratio of the plain path; 0: skipped). */
const PLAIN = Number(process.env.BENCH_BROWSE_PLAIN ?? 20_000);
/** Items per seeded task (the background tasks before the burst). */
const SEED_TASK = 100_000;

const item = (n: number): Record<string, unknown> => ({ n, title: 'Product number ' + n, url: 'http://127.0.0.1:8000/item/' + n, price: n / 4, desc: 'd'.repeat(180), tags: ['a', 'b'] });

type Libs = typeof import('../libs/results/src/master/result-directory.repository') &
  typeof import('../libs/results/src/dedup-key') &
  typeof import('../libs/node/src/db-flavor');

async function loadLibs(): Promise<Libs> {
  registerLibPaths();
  return {
    ...(await import('../libs/results/src/master/result-directory.repository')),
    ...(await import('../libs/results/src/dedup-key')),
    ...(await import('../libs/node/src/db-flavor')),
  };
}

const DEDUP = { keys: ['url'], mode: 'ignore' as const };

/**
 * Seeds `count` items of fake finished tasks straight into the layout the ingest writes: the
 * documents (same `_id`s, `_tid`, `_sid`, `_ts`), their dedup claims, each batch's page mark and
 * directory places (through the same repository), and its ledger. Faster than a worker, so a
 * million items fit in a bench run.
 */
async function seedDirect(L: Libs, conn: mongoose.Connection, col: string, sid: string, fromN: number, count: number): Promise<void> {
  const dir = new L.ResultDirectoryRepository(conn, new L.DbFlavor(conn));
  const docs = conn.collection(col);
  const keys = conn.collection('result_keys');
  const ledgers = conn.collection('result_ledgers');
  const t0 = Date.now() - 3_600_000;
  for (let done = 0, task = 0; done < count; task++) {
    const tid = (0x5f000000 + task).toString(16).padStart(8, '0') + sid.slice(8, 24);
    const inTask = Math.min(SEED_TASK, count - done);
    for (let seq = 0; seq < inTask; seq += 1000) {
      const k = Math.min(1000, inTask - seq);
      const batch = Array.from({ length: k }, (_, i) => {
        const n = fromN + done + seq + i;
        const it = item(n);
        return { doc: { ...it, _id: L.resultDocId(t0 + done + seq + i, tid, 1, seq + i), _tid: tid, _sid: sid, _ts: new Date() }, it, seq: seq + i };
      });
      await docs.insertMany(batch.map((b) => b.doc) as never[], { ordered: false });
      await keys.insertMany(
        batch.map((b) => ({ _id: `${col}:${L.dedupHash(b.it, DEDUP)}`, col, tid, sid, src: `${tid}:1:${b.seq}`, doc: b.doc._id })) as never[],
        { ordered: false },
      );
      const ledgerId = `${tid}:1:${seq}`;
      await dir.place(ledgerId, col, sid, tid, batch.map((b) => b.doc._id));
      await ledgers.insertOne({ _id: ledgerId, tid, sid, col, attempt: 1, firstSeq: seq, lastSeq: seq + k - 1, stored: k, duplicates: 0, rejected: 0, refusals: [], at: new Date() } as never);
    }
    done += inTask;
  }
}

/** Runs one task of the spider printing items from..from+count-1, one crawlab-sdk line each; ms to store them all. */
async function burst(m: Master, conn: mongoose.Connection, sid: string, from: number, count: number): Promise<{ tid: string; ms: number; profile: Figure[] }> {
  const [c0, s0] = [await dbCommands(m), await dbSeconds(m)];
  const t0 = Date.now();
  const tid = (await m.api.post('/api/tasks', { spiderId: sid, param: `${from} ${count}` })).body.tasks[0].id as string;
  // Polled every 500 ms (a poll is 4 reads competing with the ingest); the end is the time the
  // batch ledger written last was made (the master's clock, this machine's).
  await waitFor('burst stored', async () => (await m.api.get(`/api/tasks/${tid}`)).body.resultCount === count, 1_800_000, 500);
  const ledgers = await conn.collection('result_ledgers').find({ tid }, { projection: { at: 1 } }).toArray();
  const ms = Math.max(...ledgers.map((l) => new Date(l.at as Date).getTime())) - t0;
  // Where an ingest batch's time goes: the master's database commands per 1000 items, by kind
  // (the polling reads of this bench and the task's own start and close are in it too).
  const [c1, s1] = [await dbCommands(m), await dbSeconds(m)];
  const batches = count / 1000;
  const cmds = perTask(c0, c1, batches);
  const waited = Object.entries(s1).reduce((a, [k, v]) => a + v - (s0[k] ?? 0), 0);
  const profile: Figure[] = [
    { name: `  per 1000 items: database commands (${cmds.byName})`, value: cmds.total, unit: 'commands' },
    { name: `  per 1000 items: database wait (${timePerTask(s0, s1, batches, 10)} ms)`, value: (waited * 1000) / batches, unit: 'ms' },
  ];
  return { tid, ms, profile };
}

async function timeReads(m: Master, paths: () => string, check: (b: { items: unknown[]; searched?: number }) => void): Promise<{ p50: number; p99: number; searched: number }> {
  const ms: number[] = [];
  let searched = 0;
  for (let i = 0; i < READS; i++) {
    const p = paths();
    const t = process.hrtime.bigint();
    const r = await m.api.get(p);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.text.slice(0, 200)}`);
    check(r.body);
    searched += r.body.searched ?? 0;
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), searched: searched / READS };
}

async function readsOf(m: Master, sid: string, tid: string, total: number, inTask: number, label: string): Promise<Figure[]> {
  const out: Figure[] = [];
  const rnd = (k: number) => 1 + Math.floor(Math.random() * k);
  const full = (b: { items: unknown[] }) => {
    if (b.items.length !== 20) throw new Error(`a page of ${b.items.length}`);
  };
  const lastSize = inTask % 20 || 20;
  const reads: [string, () => string, (b: { items: unknown[]; searched?: number }) => void, string][] = [
    ['spider first page', () => `/api/spiders/${sid}/results?page=1&size=20`, full, '<= 200 ms'],
    ['spider page 200', () => `/api/spiders/${sid}/results?page=200&size=20`, full, '<= 200 ms'],
    ['task first page', () => `/api/tasks/${tid}/results?page=1&size=20`, full, '<= 200 ms'],
    [
      'task last page',
      () => `/api/tasks/${tid}/results?page=${Math.ceil(inTask / 20)}&size=20`,
      (b) => {
        if (b.items.length !== lastSize) throw new Error(`last page of ${b.items.length}`);
      },
      '<= 200 ms',
    ],
    [
      'dedup key filter (url)',
      () => `/api/spiders/${sid}/results?field=url&value=${encodeURIComponent(String(item(rnd(total)).url))}`,
      (b) => {
        if (b.items.length !== 1) throw new Error(`dedup key filter found ${b.items.length}`);
      },
      '<= 200 ms',
    ],
    ['other field filter (title), one request', () => `/api/spiders/${sid}/results?field=title&value=${encodeURIComponent(String(item(rnd(total)).title))}`, () => undefined, '<= 1000 ms'],
  ];
  for (const [name, path, check, goal] of reads) {
    const r = await timeReads(m, path, check);
    const extra = name.startsWith('other') ? ` (searched ${Math.round(r.searched)} of ${total} per request)` : '';
    out.push({ name: `${label}: ${name} p50${extra}`, value: r.p50, unit: 'ms' });
    out.push({ name: `${label}: ${name} p99`, value: r.p99, unit: 'ms', goal });
  }
  return out;
}

/**
 * `npm run bench results-browse`: result pages with SMALL items in a spider (one task), and with
 * N (N − BURST seeded straight into the ingest's layout, then BURST written by one task through
 * the real path), each read READS times; and the burst's ingest rate against insertMany.
 */
const bench: Benchmark = {
  name: `results browsing: ${SMALL} items (one task) and ${N} items (${BURST} by one task in a burst), dedup ignore on url, ${READS} reads each`,
  async run(): Promise<Figure[]> {
    const L = await loadLibs();
    const cluster = new TestCluster('bench-results-browse');
    try {
      const m = await cluster.startMaster();
      await cluster.startWorker({ masters: [m], name: 'rbb' });
      await cluster.waitNodeReady(m.api, 'rbb');
      const conn = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName, retryWrites: false }).asPromise();
      const script = `const item = ${item.toString()};\nconst [from, count] = process.argv.slice(2).map(Number);\nfor (let n = from; n < from + count; n++) process.stdout.write(JSON.stringify({ type: 'data', payload: [item(n)], ipc: true }) + '\\n');\n`;
      const spider = async (name: string, dedup: typeof DEDUP | null = DEDUP) => {
        const id = (await m.api.post('/api/spiders', { name, cmd: `${process.execPath} emit.js`, dedup })).body.id as string;
        await m.api.putFiles(`/api/spiders/${id}/files`, { 'emit.js': script });
        return id;
      };
      const figures: Figure[] = [];
      const baseline = async (count: number, from: number): Promise<number> => {
        // The same items, insertMany batches of 1000, same database, same run.
        const base = conn.collection('baseline_insertmany');
        const b0 = Date.now();
        for (let i = 0; i < count; i += 1000) await base.insertMany(Array.from({ length: Math.min(1000, count - i) }, (_, k) => item(from + i + k)));
        const ms = Date.now() - b0;
        await base.drop();
        return ms;
      };

      if (PLAIN > 0) {
        const plain = await spider('browse plain', null);
        // What a task costs before and after its items (dispatch, sync, process start, close, this bench's poll): one item.
        const one = await burst(m, conn, plain, 0, 1);
        figures.push({ name: 'a task of one item (task start → stored): the fixed part of each burst below', value: one.ms, unit: 'ms' });
        const baseMs = await baseline(PLAIN, 1);
        const p = await burst(m, conn, plain, 1, PLAIN);
        figures.push({
          name: `plain ingest (no dedup): ${PLAIN} items by one task (task start → all stored)`,
          value: (PLAIN / p.ms) * 1000,
          unit: 'items/s',
          goal: '>= 1.0 × baseline',
          baseline: { name: 'insertMany ×1000, same items', value: (PLAIN / baseMs) * 1000 },
        });
        figures.push(...p.profile);
      }

      if (SMALL > 0 && READS > 0) {
        const small = await spider('browse small');
        const s = await burst(m, conn, small, 1, SMALL);
        figures.push(...(await readsOf(m, small, s.tid, SMALL, SMALL, `${SMALL} items`)));
      }

      const big = await spider('browse big');
      const col = (await m.api.get(`/api/spiders/${big}`)).body.resultsCollection as string;
      const s0 = Date.now();
      await seedDirect(L, conn, col, big, 1, N - BURST);
      const seedMs = Date.now() - s0;
      const baselineMs = await baseline(BURST, N - BURST + 1);
      const b = await burst(m, conn, big, N - BURST + 1, BURST);
      figures.push({ name: `seeded ${N - BURST} items straight into the layout`, value: seedMs, unit: 'ms' });
      figures.push({
        name: `burst ingest (dedup ignore): ${BURST} items by one task (task start → all stored)`,
        value: (BURST / b.ms) * 1000,
        unit: 'items/s',
        goal: '>= 1.0 × baseline',
        baseline: { name: 'insertMany ×1000, same items', value: (BURST / baselineMs) * 1000 },
      });
      figures.push(...b.profile);
      if (READS > 0) figures.push(...(await readsOf(m, big, b.tid, N, BURST, `${N} items`)));
      await conn.close();
      return figures;
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;
