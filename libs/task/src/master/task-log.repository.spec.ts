import { unpackLines } from '../log-batch-codec';
import { LOG_STRIDE } from '../log-pages';
import { StoredLogLine, TaskLogRepository } from './task-log.repository';
import { TaskArchiveRepository } from './task-archive.repository';

type Doc = { _id: string; taskId?: string; attempt?: number; from?: number; to?: number; packed?: string; lines?: StoredLogLine[]; table?: string };

/**
 * The operations the repository uses, with the database's semantics: an insert of an existing
 * `_id` fails with code 11000 (atomic on FerretDB and MongoDB), findOne by `_id`, and the
 * filters of the stride read and of retention. `failInsertAfter` simulates a crash mid-store.
 */
class FakeCollection {
  docs = new Map<string, Doc>();
  constructor(private readonly db: FakeDb) {}
  async insertOne(doc: Doc): Promise<void> {
    if (this.db.failInsertAfter-- <= 0) throw new Error('connection lost');
    if (this.docs.has(doc._id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    this.docs.set(doc._id, structuredClone(doc));
  }
  async findOne(q: { _id: string }): Promise<Doc | null> {
    this.db.finds++;
    return this.docs.get(q._id) ?? null;
  }
  find(q: { taskId: string; attempt: number; from: { $gte: number; $lt: number } }) {
    this.db.strideReads++;
    const hit = [...this.docs.values()].filter((d) => d.taskId !== undefined && d.taskId === q.taskId && d.attempt === q.attempt && d.from !== undefined && d.from >= q.from.$gte && d.from < q.from.$lt);
    return { toArray: async () => hit };
  }
  async deleteMany(q: { taskId: { $in: string[] } } | { $or: [{ taskId: { $in: string[] } }, { _id: { $regex: RegExp } }] }): Promise<void> {
    const [byTask, byId] = '$or' in q ? [q.$or[0].taskId.$in, q.$or[1]._id.$regex] : [q.taskId.$in, null];
    for (const [k, d] of this.docs) if ((d.taskId !== undefined && byTask.includes(d.taskId)) || byId?.test(d._id)) this.docs.delete(k);
  }
}

class FakeDb {
  colls = new Map<string, FakeCollection>();
  failInsertAfter = Infinity;
  finds = 0;
  strideReads = 0;
  coll(name: string): FakeCollection {
    if (!this.colls.has(name)) this.colls.set(name, new FakeCollection(this));
    return this.colls.get(name) as FakeCollection;
  }
  /** The slice of TaskArchiveRepository the log repository uses. */
  buckets(): TaskArchiveRepository {
    return {
      logs: async () => this.coll('dir'),
      logTable: async (_hour: string, suffix: string) => this.coll(`task_logs_2026112921_${suffix}`),
      logTableNames: async () => [...this.colls.keys()].filter((n) => n !== 'dir'),
    } as unknown as TaskArchiveRepository;
  }
  lineCount(): number {
    let n = 0;
    for (const [name, c] of this.colls) if (name !== 'dir') for (const d of c.docs.values()) n += d.from === undefined ? 0 : unpackLines({ from: d.from, packed: d.packed, lines: d.lines }).length;
    return n;
  }
}

const line = (seq: number): StoredLogLine => ({ seq, ts: new Date(0), stream: 'stdout', text: `line ${seq}` });
const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const seqs = (ls: { seq: number }[]) => ls.map((l) => l.seq);
const TASK = '65f000000000000000000001';
const OTHER = '65f000000000000000000002';

describe('TaskLogRepository', () => {
  it('a resend of the same batch stores each line once', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    expect(await r.append(TASK, 1, run(1, 50))).toBe(50);
    expect(await r.append(TASK, 1, run(1, 50))).toBe(0);
    expect(db.lineCount()).toBe(50);
    expect(seqs(await r.page(TASK, 1, 0, 1000))).toEqual(seqs(run(1, 50)));
  });

  it('a resend that starts at a stored batch and goes further stores only the new tail, and the chain reads it', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    await r.append(TASK, 1, run(1, 30));
    expect(await r.append(TASK, 1, run(1, 45))).toBe(15);
    await r.append(TASK, 1, run(46, 60));
    expect(seqs(await r.page(TASK, 1, 0, 1000))).toEqual(seqs(run(1, 60)));
  });

  it('a resend handled by another replica (its own tables) lands in the table the stride already has', async () => {
    const db = new FakeDb();
    const a = new TaskLogRepository(db.buckets());
    const b = new TaskLogRepository(db.buckets());
    await a.append(TASK, 1, run(1, 30));
    expect(await b.append(TASK, 1, run(1, 40))).toBe(10);
    expect(await b.append(TASK, 1, run(41, 45))).toBe(5);
    expect(db.colls.size).toBe(2); // the directory and replica a's table
    expect(seqs(await b.page(TASK, 1, 0, 1000))).toEqual(seqs(run(1, 45)));
    expect(seqs(await a.page(TASK, 1, 0, 1000))).toEqual(seqs(run(1, 45)));
  });

  it('a crash after storing part of a batch that crosses a stride is completed by the resend', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    const batch = run(LOG_STRIDE - 9, LOG_STRIDE + 20);
    await r.append(TASK, 1, run(1, LOG_STRIDE - 10));
    db.failInsertAfter = 2; // the first piece and the next stride's mark are stored, then the database is lost
    await expect(r.append(TASK, 1, batch)).rejects.toThrow('connection lost');
    db.failInsertAfter = Infinity;
    expect(seqs(await r.page(TASK, 1, 0, 5 * LOG_STRIDE))).toEqual(seqs(run(1, LOG_STRIDE - 10 + 10)));
    expect(await new TaskLogRepository(db.buckets()).append(TASK, 1, batch)).toBe(20); // resent to a fresh replica
    expect(seqs(await r.page(TASK, 1, 0, 5 * LOG_STRIDE))).toEqual(seqs(run(1, LOG_STRIDE + 20)));
  });

  it('a page from a deep `after` in a long log reads its own strides only', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    for (let f = 1; f <= 20 * LOG_STRIDE; f += 700) await r.append(TASK, 1, run(f, Math.min(f + 699, 20 * LOG_STRIDE)));
    const fresh = new TaskLogRepository(db.buckets()); // no cached marks: a replica that never saw this task
    db.finds = 0;
    const after = 13 * LOG_STRIDE + 456;
    expect(seqs(await fresh.page(TASK, 1, after, LOG_STRIDE))).toEqual(seqs(run(after + 1, after + LOG_STRIDE)));
    expect(db.finds).toBeLessThanOrEqual(7); // 2 marks + the chain in 2 strides
    expect(db.strideReads).toBe(0);
  });

  it('a slow logger (one line per batch) is read with a bounded number of queries per stride', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    for (let s = 1; s <= 1500; s++) await r.append(TASK, 1, [line(s)]);
    db.finds = 0;
    expect(seqs(await new TaskLogRepository(db.buckets()).page(TASK, 1, 10, 1000))).toEqual(seqs(run(11, 1010)));
    expect(db.finds).toBeLessThanOrEqual(12);
    expect(db.strideReads).toBe(2);
  });

  it('attempts and tasks do not see each other\'s lines, and retention removes one task\'s lines and marks only', async () => {
    const db = new FakeDb();
    const r = new TaskLogRepository(db.buckets());
    await r.append(TASK, 1, run(1, 5));
    await r.append(TASK, 2, run(1, 2));
    await r.append(OTHER, 1, run(1, 3));
    expect(seqs(await r.page(TASK, 2, 0, 100))).toEqual([1, 2]);
    expect(await r.page(TASK, 3, 0, 100)).toEqual([]);
    await r.deleteForTasks([TASK]);
    expect(await new TaskLogRepository(db.buckets()).page(TASK, 1, 0, 100)).toEqual([]);
    expect([...db.coll('dir').docs.keys()].every((k) => k.startsWith(OTHER))).toBe(true);
    expect(seqs(await r.page(OTHER, 1, 0, 100))).toEqual([1, 2, 3]);
    expect(db.lineCount()).toBe(3);
  });

  it('an hour stored before stride marks (batches in the hour collection) is still read', async () => {
    const db = new FakeDb();
    await db.coll('dir').insertOne({ _id: `${TASK}:1:1`, taskId: TASK, attempt: 1, from: 1, to: 5, lines: run(1, 5) });
    expect(seqs(await new TaskLogRepository(db.buckets()).page(TASK, 1, 0, 100))).toEqual([1, 2, 3, 4, 5]);
  });

  it('the end of a log is found with one directory miss, without a lookup of the old layout', async () => {
    const db = new FakeDb();
    await new TaskLogRepository(db.buckets()).append(TASK, 1, run(1, LOG_STRIDE));
    db.finds = 0;
    expect((await new TaskLogRepository(db.buckets()).page(TASK, 1, LOG_STRIDE - 5, 100)).length).toBe(5);
    expect(db.finds).toBe(3); // mark of stride 1, its batch, the missing mark of stride 2
  });
});
