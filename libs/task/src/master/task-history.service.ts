import { Injectable } from '@nestjs/common';
import { bucketCeilId, bucketFloorId, bucketOfId } from '../archive-bucket';
import { placeOfId, shelfBounds } from '../archive-shelf';
import { ACTIVITY_MINUTES, endedTotal, ReplicaCounts } from '../task-counts';
import { TASK_STATUSES, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { OpenSnapshot, OpenTasksSnapshot } from './open-tasks.snapshot';
import { ArchiveFilter, matchesFilter, TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';

/** `spiderIds`: only tasks of these spiders (what a caller may see; absent: all). */
export type HistoryFilter = { status?: TaskStatus; spiderId?: string; nodeId?: string; spiderIds?: ReadonlySet<string> };
export type HistoryQuery = { after?: string; page: number; size: number };
export type HistoryPage = { items: TaskRecord[]; total: number; totalExact: boolean; nextAfter: string | null };
export type ActivityBucket = { minute: string; finished: number; error: number; cancelled: number; abnormal: number };

/** A list call stops reading older places past this and returns the page so far, with a cursor. */
const LIST_BUDGET_MS = 120;
/** Places (hours, shelves) read at once while walking back, at most; one at first, twice as many after a round that found less than a page. */
const PARALLEL_READS = 4;
/** Above every hex id: the cursor of a walk from the newest task. */
const ABOVE_ALL = 'g';

/** An archive place still to read: an hour (`shelf` null) or one of its shelves; it holds only ids below `upper`. */
type Source = { bucket: string; shelf: string | null; upper: string };

function min(a: string, b: string): string {
  return a < b ? a : b;
}

/** A task with its id as hex and its hour, so sorting and grouping do not convert ids again and again. */
type Keyed = { t: TaskRecord; id: string; bucket: string };

function byIdNewestFirst(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
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
  private keyed: { snap: OpenSnapshot; rows: Keyed[]; inHourCollection: Set<string> } | null = null;

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
    const inHourCollection = this.keyed!.inHourCollection;
    if (snap !== this.noted) {
      this.archive.noteHours(new Set(openRows.map((r) => r.bucket)));
      this.noted = snap;
    }
    const archived = wantEnded ? await this.archive.buckets() : [];
    const cursor = q.after ?? ABOVE_ALL;
    // Rows found so far by id; an ended copy replaces an open one (a task caught mid-move is listed once, as ended).
    const rows = new Map<string, Keyed>();
    let openTotal = 0;
    if (wantOpen) {
      for (const r of openRows) {
        if (!matchesFilter(r.t, filter)) continue;
        openTotal++;
        if (r.id < cursor) rows.set(r.id, r);
      }
    }
    const { total, exact } = this.total(filter, counts, openTotal, wantEnded);
    const skip = q.after ? 0 : (q.page - 1) * q.size;
    const need = skip + q.size;
    const af: ArchiveFilter = {
      status: filter.status,
      spiderId: filter.spiderId,
      nodeId: filter.nodeId,
      spiderIds: filter.spiderIds && !filter.spiderId ? [...filter.spiderIds] : undefined,
    };
    const page = (items: Keyed[], nextAfter: string | null): HistoryPage => ({ items: items.map((r) => r.t), total, totalExact: exact, nextAfter });

    // Places still to read, each holding only ids below its `upper`: hours not opened yet, and shelves of opened ones.
    const frontier: Source[] = archived
      .filter((b) => bucketFloorId(b) < cursor)
      .map((b) => ({ bucket: b, shelf: null, upper: min(cursor, bucketCeilId(b)) }));
    let parallel = 1;
    for (;;) {
      frontier.sort((a, b) => (a.upper < b.upper ? 1 : a.upper > b.upper ? -1 : 0));
      // Every row at or above `bound` is known: nothing left to read holds one.
      const bound = frontier[0]?.upper ?? '';
      const known = [...rows.values()].filter((r) => r.id >= bound).sort(byIdNewestFirst);
      if (known.length >= need) return page(known.slice(skip, need), known[need - 1].id);
      if (frontier.length === 0) return page(known.slice(skip), null);
      // Bounded work per call: the caller continues below `bound` (below its own cursor, so a walk always moves on).
      if (Date.now() > deadline && bound < cursor) return page(known.slice(skip), bound);
      const batch = frontier.splice(0, parallel);
      const read = await Promise.all(batch.map((s) => this.readPlace(s, af, need, inHourCollection.has(s.bucket))));
      let got = 0;
      for (const { ended, more } of read) {
        for (const t of ended) {
          const id = String(t._id);
          if (id < cursor && matchesFilter(t, filter)) {
            rows.set(id, { t, id, bucket: '' });
            got++;
          }
        }
        frontier.push(...more);
      }
      // A sparse stretch (rare matches, quiet hours): read more places at once. A round that found
      // a page's worth keeps to one place a round: on a busy FerretDB parallel scans share its time.
      // Opening an hour that only gave its shelves (its collection holds marks) is not sparse: its
      // newest shelf alone may fill the page.
      const onlyOpened = read.every((r, i) => batch[i].shelf === null && r.ended.length === 0 && r.more.length > 0);
      if (got < need && !onlyOpened) parallel = Math.min(PARALLEL_READS, parallel * 2);
    }
  }

  /**
   * Reads one place: an hour (its own collection: the tasks it holds and its shelf marks, which
   * become places to read) or a shelf (its newest `limit` rows below `upper`; when it gives
   * `limit`, the rest of it stays to read).
   */
  private async readPlace(s: Source, af: ArchiveFilter, limit: number, openInHour: boolean): Promise<{ ended: TaskRecord[]; more: Source[] }> {
    if (s.shelf === null) {
      const { rows, shelves } = await this.archive.readHour(s.bucket, af, { below: s.upper, openInHour });
      const bounds = shelfBounds(shelves);
      const more: Source[] = [];
      for (const m of shelves) {
        const b = bounds.get(m.shelf)!;
        if (b.lower !== null && b.lower >= s.upper) continue; // every id of the shelf is at or above the cursor
        more.push({ bucket: s.bucket, shelf: m.shelf, upper: b.upper === null ? s.upper : min(s.upper, b.upper) });
      }
      return { ended: rows, more };
    }
    const ended = await this.archive.readShelf(s.bucket, s.shelf, af, s.upper, limit);
    const more = ended.length === limit ? [{ ...s, upper: String(ended[ended.length - 1]._id) }] : [];
    return { ended, more };
  }

  private keyedOpen(snap: OpenSnapshot): Keyed[] {
    if (this.keyed?.snap !== snap) {
      const rows = snap.tasks.map((t) => {
        const id = String(t._id);
        return { t, id, bucket: bucketOfId(id) };
      });
      // Hours an open task will be archived into the hour collection of (ids of older versions): their marks are not copied.
      const inHourCollection = new Set(rows.filter((r) => placeOfId(r.id).shelf === null).map((r) => r.bucket));
      this.keyed = { snap, rows, inHourCollection };
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
