import { LOG_STRIDE } from '../log-pages';
import { StoredLogLine, TaskLogRepository } from './task-log.repository';
import { TaskArchiveRepository } from './task-archive.repository';

type Doc = { _id: string; from: number; to: number; lines: StoredLogLine[] };

/**
 * The two operations the repository uses, with the database's semantics: an insert of an
 * existing `_id` fails with code 11000 (atomic on FerretDB and MongoDB), findOne by `_id`.
 * `failInsertAfter` simulates a crash mid-store (the master dies after n inserts).
 */
class IdStore {
  docs = new Map<string, Doc>();
  failInsertAfter = Infinity;
  finds = 0;
  async insertOne(doc: Doc): Promise<void> {
    if (this.failInsertAfter-- <= 0) throw new Error('connection lost');
    if (this.docs.has(doc._id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    this.docs.set(doc._id, structuredClone(doc));
  }
  async findOne(q: { _id: string }): Promise<Doc | null> {
    this.finds++;
    return this.docs.get(q._id) ?? null;
  }
}

const line = (seq: number): StoredLogLine => ({ seq, ts: new Date(0), stream: 'stdout', text: `line ${seq}` });
const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const TASK = '65f000000000000000000001';

function repo(store: IdStore): TaskLogRepository {
  return new TaskLogRepository({ logs: async () => store } as unknown as TaskArchiveRepository);
}

describe('TaskLogRepository', () => {
  it('a resend of the same batch stores each line once', async () => {
    const s = new IdStore();
    const r = repo(s);
    expect(await r.append(TASK, 1, run(1, 50))).toBe(50);
    expect(await r.append(TASK, 1, run(1, 50))).toBe(0);
    expect((await r.page(TASK, 1, 0, 1000)).map((l) => l.seq)).toEqual(run(1, 50).map((l) => l.seq));
  });

  it('a resend that starts at a stored batch and goes further stores only the new tail, and the chain reads it', async () => {
    const s = new IdStore();
    const r = repo(s);
    await r.append(TASK, 1, run(1, 30));
    expect(await r.append(TASK, 1, run(1, 45))).toBe(15);
    await r.append(TASK, 1, run(46, 60));
    expect((await r.page(TASK, 1, 0, 1000)).map((l) => l.seq)).toEqual(run(1, 60).map((l) => l.seq));
  });

  it('a crash after storing part of a batch that crosses a stride is completed by the resend', async () => {
    const s = new IdStore();
    const r = repo(s);
    const batch = run(LOG_STRIDE - 9, LOG_STRIDE + 20);
    await r.append(TASK, 1, run(1, LOG_STRIDE - 10));
    s.failInsertAfter = 1; // the first piece is stored, then the master loses the database
    await expect(r.append(TASK, 1, batch)).rejects.toThrow('connection lost');
    s.failInsertAfter = Infinity; // the database is back
    expect(await r.append(TASK, 1, batch)).toBe(20);
    const all = await r.page(TASK, 1, 0, 5 * LOG_STRIDE);
    expect(all.map((l) => l.seq)).toEqual(run(1, LOG_STRIDE + 20).map((l) => l.seq));
  });

  it('a page from a deep `after` in a long log looks up only its own stride and the next', async () => {
    const s = new IdStore();
    const r = repo(s);
    for (let f = 1; f <= 20 * LOG_STRIDE; f += 700) await r.append(TASK, 1, run(f, Math.min(f + 699, 20 * LOG_STRIDE)));
    s.finds = 0;
    const after = 13 * LOG_STRIDE + 456;
    const page = await r.page(TASK, 1, after, LOG_STRIDE);
    expect(page.map((l) => l.seq)).toEqual(run(after + 1, after + LOG_STRIDE).map((l) => l.seq));
    expect(s.finds).toBeLessThanOrEqual(5);
  });

  it('attempts do not see each other\'s lines', async () => {
    const s = new IdStore();
    const r = repo(s);
    await r.append(TASK, 1, run(1, 5));
    await r.append(TASK, 2, run(1, 2));
    expect((await r.page(TASK, 2, 0, 100)).map((l) => l.seq)).toEqual([1, 2]);
    expect(await r.page(TASK, 3, 0, 100)).toEqual([]);
  });
});
