import { Types } from 'mongoose';
import { bucketCeilId } from '../archive-bucket';
import { placeOfId, ShelfMark, TaskIdGenerator } from '../archive-shelf';
import { emptyCounts, ReplicaCounts } from '../task-counts';
import { TaskRecord, TaskStatus } from '../task.types';
import { OpenTasksSnapshot } from './open-tasks.snapshot';
import { ArchiveFilter, TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { TaskHistoryService } from './task-history.service';

const HOUR = 3_600_000;
const base = Date.parse('2026-11-20T10:00:00Z');
let n = 0;
function task(hoursAgo: number, status: TaskStatus, spiderId = 's1'): TaskRecord {
  const sec = Math.floor((base - hoursAgo * HOUR) / 1000) + n++;
  return { _id: new Types.ObjectId(Types.ObjectId.generate(sec)), status, spiderId, nodeId: 'n1', createdAt: new Date(sec * 1000) } as TaskRecord;
}

const fits = (f: ArchiveFilter) => (t: TaskRecord) => (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId) && (!f.nodeId || t.nodeId === f.nodeId);

/**
 * An in-memory archive with the repository's semantics: tasks where placeOfId puts them, shelf
 * marks as given (`marks`: per hour), shelves read newest first below a bound with a limit.
 */
function service(ended: TaskRecord[], open: TaskRecord[], counts: ReplicaCounts = emptyCounts(), reads: string[] = [], marks = new Map<string, ShelfMark[]>()): TaskHistoryService {
  const byPlace = new Map<string, TaskRecord[]>();
  const hours = new Set<string>(marks.keys());
  for (const t of ended) {
    const p = placeOfId(String(t._id));
    hours.add(p.bucket);
    const key = `${p.bucket}/${p.shelf ?? ''}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), t]);
  }
  const archive = {
    buckets: async () => [...hours].sort().reverse(),
    noteHours: () => undefined,
    readHour: async (b: string, f: ArchiveFilter) => {
      reads.push(b);
      return { rows: (byPlace.get(`${b}/`) ?? []).filter(fits(f)), shelves: marks.get(b) ?? [] };
    },
    readShelf: async (b: string, shelf: string, f: ArchiveFilter, before: string | null, limit: number) => {
      reads.push(`${b}/${shelf}`);
      return (byPlace.get(`${b}/${shelf}`) ?? [])
        .filter(fits(f))
        .filter((t) => !before || String(t._id) < before)
        .sort((x, y) => (String(x._id) < String(y._id) ? 1 : -1))
        .slice(0, limit);
    },
  } as unknown as TaskArchiveRepository;
  const snapshot = { get: async () => ({ tasks: open, at: Date.now() }) } as unknown as OpenTasksSnapshot;
  const counters = { totals: async () => counts } as unknown as TaskCountersService;
  return new TaskHistoryService(archive, snapshot, counters);
}

describe('TaskHistoryService.list', () => {
  const ended = [task(50, 'finished'), task(50, 'error'), task(3, 'finished', 's2'), task(2, 'finished'), task(2, 'cancelled'), task(1, 'finished')];
  const open = [task(0, 'pending'), task(1, 'running')];

  it('a cursor walk lists every task once, newest first, across hours and both stores', async () => {
    const svc = service(ended, open);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const p = await svc.list({}, { size: 3, page: 1, after });
      seen.push(...p.items.map((t) => String(t._id)));
      if (!p.nextAfter) break;
      after = p.nextAfter;
    }
    const all = [...ended, ...open].map((t) => String(t._id)).sort().reverse();
    expect(seen).toEqual(all);
  });

  it('a task found open and archived (caught mid-move) is listed once, as ended', async () => {
    const moving = task(1, 'finished');
    const svc = service([moving], [{ ...moving, status: 'running' }]);
    const p = await svc.list({}, { size: 10, page: 1 });
    expect(p.items.map((t) => t.status)).toEqual(['finished']);
  });

  it('filters by status and spider, and page skips from the newest', async () => {
    const svc = service(ended, open);
    expect((await svc.list({ status: 'finished', spiderId: 's1' }, { size: 10, page: 1 })).items).toHaveLength(3);
    expect((await svc.list({ status: 'pending' }, { size: 10, page: 1 })).items).toHaveLength(1);
    const page2 = await svc.list({}, { size: 2, page: 2 });
    expect(page2.items.map(String)).toEqual((await svc.list({}, { size: 4, page: 1 })).items.slice(2).map(String));
  });

  it('total comes from the counters plus matching open tasks; spider and node together is inexact', async () => {
    const counts = emptyCounts();
    counts.ended = { finished: 4, error: 1, cancelled: 1 };
    counts.bySpider = { s1: { finished: 3, error: 1, cancelled: 1 } };
    counts.byNode = { n1: { finished: 4 } };
    const svc = service(ended, open, counts);
    expect(await svc.list({}, { size: 1, page: 1 })).toMatchObject({ total: 8, totalExact: true });
    expect(await svc.list({ status: 'finished', spiderId: 's1' }, { size: 1, page: 1 })).toMatchObject({ total: 3, totalExact: true });
    expect(await svc.list({ spiderId: 's1', nodeId: 'n1' }, { size: 1, page: 1 })).toMatchObject({ total: 4 + 2, totalExact: false });
  });

  it('reads one hour when the newest hour fills the page, and from a cursor only what the rest of the page needs', async () => {
    const many = Array.from({ length: 40 }, (_, i) => task(Math.floor(i / 10), 'finished'));
    const reads: string[] = [];
    const svc = service(many, [], emptyCounts(), reads);
    const p = await svc.list({}, { size: 5, page: 1 });
    expect(p.items).toHaveLength(5);
    expect(reads).toHaveLength(1);
    reads.length = 0;
    const next = await svc.list({}, { size: 5, page: 1, after: p.nextAfter! });
    expect(reads.length).toBeLessThanOrEqual(2);
    expect(next.items.map(String)).toEqual((await svc.list({}, { size: 10, page: 1 })).items.slice(5).map(String));
  });

  it('a quiet stretch (fewer tasks than the average promised) is still walked whole, reading more hours at once', async () => {
    // 30 tasks in one old hour, then 20 hours of nothing but one task each: the average says ~2.5 an hour.
    const busy = Array.from({ length: 30 }, () => task(40, 'finished'));
    const quiet = Array.from({ length: 20 }, (_, i) => task(i, 'finished'));
    const counts = emptyCounts();
    counts.ended = { finished: 50 };
    const reads: string[] = [];
    const svc = service([...busy, ...quiet], [], counts, reads);
    const p = await svc.list({}, { size: 25, page: 1 });
    expect(p.items.map(String)).toEqual([...quiet, ...busy].map(String).sort().reverse().slice(0, 25));
    expect(new Set(reads).size).toBe(reads.length); // no hour read twice
  });
});

describe('TaskHistoryService.list: how hours are read', () => {
  it('tells the archive the ids it reads are below the place bound, and which hours an open task will be archived into (its id names the hour collection)', async () => {
    const legacyOpen = task(30, 'pending');
    const done = [task(30, 'finished'), task(40, 'finished')];
    const calls: { bucket: string; below?: string; openInHour?: boolean }[] = [];
    const svc = service(done, [legacyOpen]);
    const archive = (svc as unknown as { archive: { readHour: (b: string, f: ArchiveFilter, how?: { below?: string; openInHour?: boolean }) => Promise<unknown> } }).archive;
    const read = archive.readHour;
    archive.readHour = (b, f, how) => {
      calls.push({ bucket: b, ...how });
      return read(b, f, how);
    };
    await svc.list({}, { size: 10, page: 1 });
    const hourOf = (t: TaskRecord) => placeOfId(String(t._id)).bucket;
    expect(calls.find((c) => c.bucket === hourOf(legacyOpen))?.openInHour).toBe(true);
    expect(calls.find((c) => c.bucket === hourOf(done[1]))?.openInHour).toBe(false);
    for (const c of calls) expect(c.below && c.below <= bucketCeilId(c.bucket)).toBeTruthy();
  });
});

describe('TaskHistoryService.list over a crowded hour (shelves)', () => {
  const HOUR_START = Date.parse('2026-12-06T12:00:00Z');
  const statuses: TaskStatus[] = ['finished', 'finished', 'error', 'cancelled'];

  /** `count` tasks made by two generators (two replicas) interleaved within one hour, shelves of 8; marks as the creators write them. */
  function crowded(count: number) {
    const gens = [new TaskIdGenerator(8), new TaskIdGenerator(8)];
    const tasks: TaskRecord[] = [];
    const marks: ShelfMark[] = [];
    for (let i = 0; i < count; i++) {
      const { id, opens } = gens[i % 3 === 0 ? 1 : 0].next(HOUR_START + i * 50);
      if (opens) marks.push({ shelf: opens.shelf, stamp: opens.stamp, n: opens.n, first: opens.first });
      tasks.push({ _id: new Types.ObjectId(id), status: statuses[i % 4], spiderId: `s${i % 3}`, nodeId: `n${i % 5}`, createdAt: new Date(HOUR_START + i * 50) } as TaskRecord);
    }
    return { tasks, marks: new Map([['2026120612', marks]]) };
  }

  async function walk(svc: TaskHistoryService, filter: Parameters<TaskHistoryService['list']>[0], size: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const p = await svc.list(filter, { size, page: 1, after });
      seen.push(...p.items.map((t) => String(t._id)));
      if (!p.nextAfter) return seen;
      after = p.nextAfter;
    }
    throw new Error('walk did not end');
  }

  it('a cursor walk sees every task exactly once, newest first, and each filter agrees with the full walk', async () => {
    const { tasks, marks } = crowded(300);
    const open = [{ ...tasks[290], status: 'running' } as TaskRecord, { ...tasks[5], status: 'running' } as TaskRecord];
    const svc = service(tasks, open, emptyCounts(), [], marks);
    const all = tasks.map((t) => String(t._id)).sort().reverse();
    expect(await walk(svc, {}, 7)).toEqual(all);
    for (const f of [{ status: 'error' as TaskStatus }, { spiderId: 's1' }, { nodeId: 'n3' }, { spiderId: 's2', status: 'finished' as TaskStatus }]) {
      const want = tasks.filter((t) => (!f.status || t.status === f.status) && (!('spiderId' in f) || t.spiderId === f.spiderId) && (!('nodeId' in f) || t.nodeId === f.nodeId));
      expect(await walk(svc, f, 6)).toEqual(want.map((t) => String(t._id)).sort().reverse());
    }
  });

  it('the first page reads the hour and the newest shelves only, not the whole hour', async () => {
    const { tasks, marks } = crowded(400);
    const reads: string[] = [];
    const svc = service(tasks, [], emptyCounts(), reads, marks);
    const p = await svc.list({}, { size: 5, page: 1 });
    expect(p.items.map((t) => String(t._id))).toEqual(tasks.map((t) => String(t._id)).sort().reverse().slice(0, 5));
    // The hour, then at most two rounds of newest shelves (1 + 2 + 4 reads), of 50 shelves.
    expect(reads.length).toBeLessThanOrEqual(7);
    expect(marks.get('2026120612')!.length).toBeGreaterThan(40);
  });

  it('one replica: the first page reads the hour (only marks) and the newest shelf, when that shelf fills the page', async () => {
    const gen = new TaskIdGenerator(8);
    const tasks: TaskRecord[] = [];
    const list: ShelfMark[] = [];
    for (let i = 0; i < 406; i++) {
      const { id, opens } = gen.next(HOUR_START + i * 50);
      if (opens) list.push({ shelf: opens.shelf, stamp: opens.stamp, n: opens.n, first: opens.first });
      tasks.push({ _id: new Types.ObjectId(id), status: 'finished', spiderId: 's1', nodeId: 'n1', createdAt: new Date(HOUR_START + i * 50) } as TaskRecord);
    }
    const reads: string[] = [];
    const svc = service(tasks, [], emptyCounts(), reads, new Map([['2026120612', list]]));
    const p = await svc.list({}, { size: 5, page: 1 });
    expect(p.items.map((t) => String(t._id))).toEqual(tasks.map((t) => String(t._id)).sort().reverse().slice(0, 5));
    expect(reads).toEqual(['2026120612', `2026120612/${list[list.length - 1].shelf}`]);
  });

  it('a shelf whose creator mark is missing (only the archiver wrote it) is still listed, in order', async () => {
    const { tasks, marks } = crowded(300);
    const m = marks.get('2026120612')!;
    m[3] = { ...m[3], first: null };
    const svc = service(tasks, [], emptyCounts(), [], marks);
    expect(await walk(svc, {}, 9)).toEqual(tasks.map((t) => String(t._id)).sort().reverse());
  });
});
