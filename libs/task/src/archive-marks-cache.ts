import { ShelfMark } from './archive-shelf';

/**
 * A replica's copy of the shelf marks of archive hours whose collection holds nothing else, so
 * a list reading ids well below "now" does not scan the hour collection on every page.
 *
 * Why it is safe: marks are only inserted, never updated, and a creator writes a shelf's mark
 * (with its first id) before any task of the shelf exists. A mark missing from a copy read at
 * `at` was written after `at`, so its shelf's first id was made at most MARK_LAG_MS before `at`
 * (a mark write, clock skew between replicas): a read of ids below `at - MARK_LAG_MS` needs no
 * shelf the copy lacks. An hour whose collection held a task, or that an open task will be
 * archived into (its id names the hour collection: ids of older versions), is never copied:
 * its next task would be missed. Copies expire after MARKS_TTL_MS: a shelf marked only by an
 * archiver (its creator's write failed) is seen that late at worst.
 */
export const MARK_LAG_MS = 60_000;
export const MARKS_TTL_MS = 5 * 60_000;
const MAX_HOURS = 5000;

export class HourMarksCache {
  private readonly hours = new Map<string, { marks: ShelfMark[]; at: number }>();

  /** The marks of `bucket` good for reading ids below `below` (hex), or null: read the hour. */
  get(bucket: string, below: string, nowMs = Date.now()): ShelfMark[] | null {
    const e = this.hours.get(bucket);
    if (!e) return null;
    if (nowMs - e.at > MARKS_TTL_MS) {
      this.hours.delete(bucket);
      return null;
    }
    if (!/^[0-9a-f]{24}$/.test(below)) return null;
    return parseInt(below.slice(0, 8), 16) * 1000 < e.at - MARK_LAG_MS ? e.marks : null;
  }

  /** The marks of an hour collection read from `at` (its start) that held no task. */
  put(bucket: string, marks: ShelfMark[], at: number): void {
    if (this.hours.size >= MAX_HOURS && !this.hours.has(bucket)) this.hours.clear();
    this.hours.set(bucket, { marks, at });
  }

  forget(bucket: string): void {
    this.hours.delete(bucket);
  }
}
