import { Injectable } from '@nestjs/common';
import { bucketFloorId, bucketOfId, bucketStartMs } from '../archive-bucket';
import { ACTIVITY_MINUTES, endedTotal, ReplicaCounts } from '../task-counts';
import { TASK_STATUSES, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { OpenSnapshot, OpenTasksSnapshot } from './open-tasks.snapshot';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';

/** `spiderIds`: only tasks of these spiders (what a caller may see; absent: all). */
export type HistoryFilter = { status?: TaskStatus; spiderId?: string; nodeId?: string; spiderIds?: ReadonlySet<string> };
export type HistoryQuery = { after?: string; page: number; size: number };
export type HistoryPage = { items: TaskRecord[]; total: number; totalExact: boolean; nextAfter: string | null };
export type ActivityBucket = { minute: string; finished: number; error: number; cancelled: number; abnormal: number };

/** A list call stops reading older hours past this and returns the page so far, with a cursor. */
const LIST_BUDGET_MS = 120;
/** Hours read at once while walking back, at most. */
const PARALLEL_BUCKETS = 4;
const HOUR_MS = 3_600_000;
/** Hours are read until this many times the rows still needed are expected (the counters' average per hour). */
const EXPECT_MARGIN = 1.5;

/** A task with its id as hex and its hour, so sorting and grouping do not convert ids again and again. */
type Keyed = { t: TaskRecord; id: string; bucket: string };

function byIdNewestFirst(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function matches(t: TaskRecord, f: HistoryFilter): boolean {
  return (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId) && (!f.nodeId || t.nodeId === f.nodeId) && (!f.spiderIds || f.spiderIds.has(t.spiderId));
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
  /** The open tasks of the last snapshot with their ids and hours, worked out once per snapshot (10k pending: ~10 ms a call). */
  private keyed: { snap: OpenSnapshot; rows: Keyed[] } | null = null;

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
    const openRows = this.keyedOpen(snap);
    if (snap !== this.noted) {
      this.archive.noteHours(new Set(openRows.map((r) => r.bucket)));
      this.noted = snap;
    }
    const archived = wantEnded ? await this.archive.buckets() : [];
    const openByBucket = new Map<string, Keyed[]>();
    let openTotal = 0;
    if (wantOpen) {
      for (const r of openRows) {
        if (!matches(r.t, filter)) continue;
        openTotal++;
        const list = openByBucket.get(r.bucket);
        if (list) list.push(r);
        else openByBucket.set(r.bucket, [r]);
      }
    }
    const { total, exact } = this.total(filter, counts, openTotal, wantEnded);
    const buckets = [...new Set([...archived, ...openByBucket.keys()])].sort().reverse().filter((b) => !q.after || bucketFloorId(b) < q.after);

    const items: TaskRecord[] = [];
    let skip = q.after ? 0 : (q.page - 1) * q.size;
    // Ended tasks matching the filter per archived hour, on average: how many hours a page needs.
    const endedPerHour = wantEnded && archived.length ? Math.max(0, total - openTotal) / archived.length : 0;
    let grow = 1;
    for (let i = 0; i < buckets.length; ) {
      const { count, expected } = this.windowSize(buckets, i, skip + q.size - items.length, endedPerHour, openByBucket, grow, q.after);
      const window = buckets.slice(i, i + count);
      const ended = await Promise.all(window.map((b) => (wantEnded ? this.archive.findInBucket(b, filter) : Promise.resolve([]))));
      let got = 0;
      for (let j = 0; j < window.length; j++) {
        const endedRows = (filter.spiderIds ? ended[j].filter((t) => filter.spiderIds!.has(t.spiderId)) : ended[j]).map((t) => ({ t, id: String(t._id) }));
        const seen = new Set(endedRows.map((r) => r.id));
        // A task caught between the two stores (a crash mid-move) is listed once, as ended.
        let rows = [...endedRows, ...(openByBucket.get(window[j]) ?? []).filter((r) => !seen.has(r.id))].sort(byIdNewestFirst);
        if (q.after) rows = rows.filter((r) => r.id < q.after!);
        got += rows.length;
        const dropped = Math.min(skip, rows.length);
        skip -= dropped;
        for (const r of rows.slice(dropped)) {
          items.push(r.t);
          if (items.length === q.size) return { items, total, totalExact: exact, nextAfter: r.id };
        }
        if (Date.now() > deadline && i + j + 1 < buckets.length) {
          // Bounded work per call: the caller continues from the hour where this one stopped.
          return { items, total, totalExact: exact, nextAfter: bucketFloorId(window[j]) };
        }
      }
      // Fewer rows than the average promised (a quiet stretch): read more hours at once next time.
      grow = got < expected ? Math.min(PARALLEL_BUCKETS, count * 2) : 1;
      i += count;
    }
    return { items, total, totalExact: exact, nextAfter: null };
  }

  /**
   * How many hours from `from` to read at once: enough that the rows expected (the open tasks
   * of each hour plus the counters' average of ended ones) cover `need` with a margin, at least
   * `min`, at most PARALLEL_BUCKETS. On FerretDB each hour read is a scan costing tens of ms,
   * so a first page served by the newest hour should not pay for three more.
   */
  private windowSize(
    buckets: string[],
    from: number,
    need: number,
    endedPerHour: number,
    openByBucket: Map<string, Keyed[]>,
    min: number,
    after?: string,
  ): { count: number; expected: number } {
    let count = 0;
    let expected = 0;
    while (from + count < buckets.length && count < PARALLEL_BUCKETS && (count < min || expected < need * EXPECT_MARGIN)) {
      const b = buckets[from + count];
      // The cursor's own hour holds only the part of the hour before the cursor.
      const share = after && bucketOfId(after) === b ? Math.min(1, Math.max(0, (parseInt(after.slice(0, 8), 16) * 1000 - bucketStartMs(b)) / HOUR_MS)) : 1;
      expected += (openByBucket.get(b)?.length ?? 0) * share + endedPerHour * share;
      count++;
    }
    return { count: Math.max(1, count), expected };
  }

  private keyedOpen(snap: OpenSnapshot): Keyed[] {
    if (this.keyed?.snap !== snap) {
      this.keyed = {
        snap,
        rows: snap.tasks.map((t) => {
          const id = String(t._id);
          return { t, id, bucket: bucketOfId(id) };
        }),
      };
    }
    return this.keyed.rows;
  }

  /** Tasks by status: ended from the counters, open from the open-task snapshot. */
  async counts(spiderIds?: ReadonlySet<string>): Promise<{ tasks: Record<TaskStatus, number>; pendingAgesMs: number[] }> {
    const [snap, counts] = await Promise.all([this.open.get(), this.counters.totals()]);
    const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const now = Date.now();
    const pendingAgesMs: number[] = [];
    for (const t of snap.tasks) {
      if (spiderIds && !spiderIds.has(t.spiderId)) continue;
      tasks[t.status]++;
      if (t.status === 'pending') pendingAgesMs.push(now - new Date(t.createdAt).getTime());
    }
    const ended = spiderIds ? [...spiderIds].map((id) => counts.bySpider[id] ?? {}) : [counts.ended];
    for (const s of TERMINAL_STATUSES) tasks[s] = Math.max(0, ended.reduce((n, c) => n + (c[s] ?? 0), 0));
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
    if (f.spiderIds && !f.spiderId) {
      // Only the caller's spiders: their per-spider counts (a node filter on top: the smaller, inexact).
      ended = [...f.spiderIds].reduce((n, id) => n + endedTotal(c.bySpider[id], f.status), 0);
      if (f.nodeId) {
        ended = Math.min(ended, endedTotal(c.byNode[f.nodeId], f.status));
        exact = false;
      }
    } else if (f.spiderId && f.nodeId) {
      ended = Math.min(endedTotal(c.bySpider[f.spiderId], f.status), endedTotal(c.byNode[f.nodeId], f.status));
      exact = false;
    } else if (f.spiderId) ended = endedTotal(c.bySpider[f.spiderId], f.status);
    else if (f.nodeId) ended = endedTotal(c.byNode[f.nodeId], f.status);
    else ended = endedTotal(c.ended, f.status);
    return { total: openTotal + Math.max(0, ended), exact };
  }
}
