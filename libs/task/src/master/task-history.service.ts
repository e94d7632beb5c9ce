import { Injectable } from '@nestjs/common';
import { bucketFloorId, bucketOfId, newestFirst } from '../archive-bucket';
import { ACTIVITY_MINUTES, endedTotal, ReplicaCounts } from '../task-counts';
import { TASK_STATUSES, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { OpenSnapshot, OpenTasksSnapshot } from './open-tasks.snapshot';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';

export type HistoryFilter = { status?: TaskStatus; spiderId?: string; nodeId?: string };
export type HistoryQuery = { after?: string; page: number; size: number };
export type HistoryPage = { items: TaskRecord[]; total: number; totalExact: boolean; nextAfter: string | null };
export type ActivityBucket = { minute: string; finished: number; error: number; cancelled: number; abnormal: number };

/** A list call stops reading older hours past this and returns the page so far, with a cursor. */
const LIST_BUDGET_MS = 120;
/** Hours read at once while walking back. */
const PARALLEL_BUCKETS = 4;

function matches(t: TaskRecord, f: HistoryFilter): boolean {
  return (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId) && (!f.nodeId || t.nodeId === f.nodeId);
}

/**
 * The read side of the task history: lists newest first (by id, i.e. creation order) with a
 * cursor, counts, activity. It never sorts or counts a collection that grows: it walks the
 * hourly archive buckets from the newest (each a small scan), merges the open tasks of the
 * same hour, and takes totals from the maintained counters.
 */
@Injectable()
export class TaskHistoryService {
  private noted: OpenSnapshot | null = null;

  constructor(
    private readonly archive: TaskArchiveRepository,
    private readonly open: OpenTasksSnapshot,
    private readonly counters: TaskCountersService,
  ) {}

  async list(filter: HistoryFilter, q: HistoryQuery): Promise<HistoryPage> {
    const deadline = Date.now() + LIST_BUDGET_MS;
    const wantEnded = !filter.status || TERMINAL_STATUSES.includes(filter.status);
    const wantOpen = !filter.status || !TERMINAL_STATUSES.includes(filter.status);
    const [snap, counts] = await Promise.all([this.open.get(), this.counters.totals()]);
    if (snap !== this.noted) {
      this.archive.noteHours(new Set(snap.tasks.map((t) => bucketOfId(String(t._id)))));
      this.noted = snap;
    }
    const archived = wantEnded ? await this.archive.buckets() : [];
    const openByBucket = new Map<string, TaskRecord[]>();
    let openTotal = 0;
    if (wantOpen) {
      for (const t of snap.tasks) {
        if (!matches(t, filter)) continue;
        openTotal++;
        const b = bucketOfId(String(t._id));
        const list = openByBucket.get(b);
        if (list) list.push(t);
        else openByBucket.set(b, [t]);
      }
    }
    const { total, exact } = this.total(filter, counts, openTotal, wantEnded);
    const buckets = [...new Set([...archived, ...openByBucket.keys()])].sort().reverse().filter((b) => !q.after || bucketFloorId(b) < q.after);

    const items: TaskRecord[] = [];
    let skip = q.after ? 0 : (q.page - 1) * q.size;
    for (let i = 0; i < buckets.length; i += PARALLEL_BUCKETS) {
      const window = buckets.slice(i, i + PARALLEL_BUCKETS);
      const ended = await Promise.all(window.map((b) => (wantEnded ? this.archive.findInBucket(b, filter) : Promise.resolve([]))));
      for (let j = 0; j < window.length; j++) {
        const seen = new Set(ended[j].map((t) => String(t._id)));
        // A task caught between the two stores (a crash mid-move) is listed once, as ended.
        let rows = [...ended[j], ...(openByBucket.get(window[j]) ?? []).filter((t) => !seen.has(String(t._id)))].sort(newestFirst);
        if (q.after) rows = rows.filter((t) => String(t._id) < q.after!);
        const dropped = Math.min(skip, rows.length);
        skip -= dropped;
        for (const t of rows.slice(dropped)) {
          items.push(t);
          if (items.length === q.size) return { items, total, totalExact: exact, nextAfter: String(t._id) };
        }
        if (Date.now() > deadline && i + j + 1 < buckets.length) {
          // Bounded work per call: the caller continues from the hour where this one stopped.
          return { items, total, totalExact: exact, nextAfter: bucketFloorId(window[j]) };
        }
      }
    }
    return { items, total, totalExact: exact, nextAfter: null };
  }

  /** Tasks by status: ended from the counters, open from the open-task snapshot. */
  async counts(): Promise<{ tasks: Record<TaskStatus, number>; pendingAgesMs: number[] }> {
    const [snap, counts] = await Promise.all([this.open.get(), this.counters.totals()]);
    const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const now = Date.now();
    const pendingAgesMs: number[] = [];
    for (const t of snap.tasks) {
      tasks[t.status]++;
      if (t.status === 'pending') pendingAgesMs.push(now - new Date(t.createdAt).getTime());
    }
    for (const s of TERMINAL_STATUSES) tasks[s] = Math.max(0, counts.ended[s] ?? 0);
    return { tasks, pendingAgesMs };
  }

  /** Tasks ended per minute over the last `minutes` minutes, oldest first, the current minute last. */
  async activity(minutes: number): Promise<ActivityBucket[]> {
    const counts = await this.counters.totals();
    const now = Math.floor(Date.now() / 60_000);
    const n = Math.min(minutes, ACTIVITY_MINUTES);
    const out: ActivityBucket[] = [];
    for (let m = now - n + 1; m <= now; m++) {
      const row = counts.minutes.find((r) => r.m === m);
      out.push({
        minute: new Date(m * 60_000).toISOString(),
        finished: row?.finished ?? 0,
        error: row?.error ?? 0,
        cancelled: row?.cancelled ?? 0,
        abnormal: row?.abnormal ?? 0,
      });
    }
    return out;
  }

  /**
   * Exact for no filter, one filter, or a status with a spider or a node. Spider and node
   * together have no maintained count: the smaller of the two is returned, flagged inexact.
   */
  private total(f: HistoryFilter, c: ReplicaCounts, openTotal: number, wantEnded: boolean): { total: number; exact: boolean } {
    if (!wantEnded) return { total: openTotal, exact: true };
    let ended: number;
    let exact = true;
    if (f.spiderId && f.nodeId) {
      ended = Math.min(endedTotal(c.bySpider[f.spiderId], f.status), endedTotal(c.byNode[f.nodeId], f.status));
      exact = false;
    } else if (f.spiderId) ended = endedTotal(c.bySpider[f.spiderId], f.status);
    else if (f.nodeId) ended = endedTotal(c.byNode[f.nodeId], f.status);
    else ended = endedTotal(c.ended, f.status);
    return { total: openTotal + Math.max(0, ended), exact };
  }
}
