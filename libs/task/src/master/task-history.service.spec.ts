import { Types } from 'mongoose';
import { bucketOfId } from '../archive-bucket';
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

function service(ended: TaskRecord[], open: TaskRecord[], counts: ReplicaCounts = emptyCounts(), reads: string[] = []): TaskHistoryService {
  const byHour = new Map<string, TaskRecord[]>();
  for (const t of ended) byHour.set(bucketOfId(String(t._id)), [...(byHour.get(bucketOfId(String(t._id))) ?? []), t]);
  const archive = {
    buckets: async () => [...byHour.keys()].sort().reverse(),
    noteHours: () => undefined,
    findInBucket: async (b: string, f: ArchiveFilter) =>
      reads.push(b) &&
      (byHour.get(b) ?? []).filter((t) => (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId)),
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

  it('reads as many hours as the counters say a page needs: one when the newest hour fills it', async () => {
    const many = Array.from({ length: 40 }, (_, i) => task(Math.floor(i / 10), 'finished'));
    const counts = emptyCounts();
    counts.ended = { finished: 40 };
    const reads: string[] = [];
    const svc = service(many, [], counts, reads);
    const p = await svc.list({}, { size: 5, page: 1 });
    expect(p.items).toHaveLength(5);
    expect(reads).toHaveLength(1);
    // From a cursor too: the cursor's hour, then as many older ones as the rest of the page needs.
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
