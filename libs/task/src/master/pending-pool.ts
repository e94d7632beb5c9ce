import { bestFirst } from '../dispatch-plan';
import type { TaskRecord } from '../task.types';

type Entry = { task: TaskRecord; addedAt: number };
type DropMark = { attempt: number; at: number };

/** Drop marks kept at most (oldest forgotten first): they only guard against answers read before the drop. */
const MAX_DROP_MARKS = 50_000;

/**
 * The pending tasks this replica may dispatch, in memory, one entry per task (its current
 * attempt). The dispatcher reads its window from here instead of re-reading the backlog on
 * every pass. It is a cache, never the truth: every assignment is still an atomic claim in
 * the database, and a task found taken or closed is dropped. A drop leaves a mark, so a
 * database answer read before the drop (a poll in flight) cannot bring that attempt back.
 */
export class PendingPool {
  private readonly byId = new Map<string, Entry>();
  private readonly dropped = new Map<string, DropMark>();
  private ordered: TaskRecord[] | null = null;

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds a pending task; an attempt never replaces a newer one, nor comes back once dropped. */
  upsert(t: TaskRecord, now = Date.now()): boolean {
    if (t.status !== 'pending') return false;
    const id = String(t._id);
    const cur = this.byId.get(id);
    if (cur && cur.task.attempt >= t.attempt) return false;
    if ((this.dropped.get(id)?.attempt ?? 0) >= t.attempt) return false;
    this.byId.set(id, { task: t, addedAt: now });
    this.ordered = null;
    return true;
  }

  /** Attempt `attempt` (or an older one) left pending: assigned, closed, or taken elsewhere. */
  drop(id: string, attempt: number, now = Date.now()): void {
    const cur = this.byId.get(id);
    if (cur && cur.task.attempt <= attempt) {
      this.byId.delete(id);
      this.ordered = null;
    }
    if ((this.dropped.get(id)?.attempt ?? 0) < attempt) {
      this.dropped.delete(id); // re-inserted last: the map's order is the marks' age
      this.dropped.set(id, { attempt, at: now });
      if (this.dropped.size > MAX_DROP_MARKS) this.dropped.delete(this.dropped.keys().next().value as string);
    }
  }

  /**
   * Replaces the content with a full read of the pending tasks that started at
   * `readStartedAt`. Entries added and drops made since then are newer than the read and
   * stay; everything older is replaced by what the read saw.
   */
  resync(pending: TaskRecord[], readStartedAt: number): void {
    for (const [id, e] of this.byId) if (e.addedAt < readStartedAt) this.byId.delete(id);
    for (const [id, m] of this.dropped) if (m.at < readStartedAt) this.dropped.delete(id);
    this.ordered = null;
    for (const t of pending) this.upsert(t, readStartedAt);
  }

  /** The first `n` in dispatch order (priority, then first in first out). */
  window(n: number): TaskRecord[] {
    this.ordered ??= bestFirst([...this.byId.values()].map((e) => e.task));
    return this.ordered.slice(0, n);
  }
}
