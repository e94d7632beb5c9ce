import { randomBytes } from 'node:crypto';
import { archiveCollection, bucketOfTime } from './archive-bucket';

/**
 * Shelves: how a crowded archive hour stays readable 20 rows at a time on FerretDB.
 *
 * FerretDB scans a whole collection for any read but an `_id` lookup (~150–400 µs a task
 * document on a busy machine), so an hour holding 30,000 ended tasks costs seconds to read
 * whatever the page needs. So a task id says, by itself, where its ended copy lives: the master
 * makes task ids as ObjectIds of the usual shape (creation second first, so the order of ids is
 * creation order) whose middle bytes carry a tag, a shape letter, the shelf size (as a power of
 * two) and a random process stamp, and whose last three bytes count the tasks this process
 * created in the id's hour. Counter `c` puts the task on shelf `c >> bits` of that stamp,
 * `task_archive_<hour>_<stamp>_<n>`. A shelf holds at most `size` tasks, its place is fixed by
 * the id before the task is ever archived (a replayed archive lands on the same `_id` and
 * conflicts), and `GET /api/tasks/:id` reads one collection.
 *
 * The hour collection (`task_archive_<hour>`) holds one mark per shelf (`_id:
 * "shelf:<stamp>_<n>"`): written by the creator before the first task of the shelf exists, with
 * that task's id (`first`), and by an archiver before its first insert into the shelf (no
 * `first`), whichever comes first. The ids of a shelf are below the `first` of the process's
 * next shelf (a process makes its ids in increasing order), which lets a list read shelves
 * newest first and stop early.
 *
 * Shapes: `b` (made now) puts every task on a shelf, the first `size` of a process's hour on
 * shelf 0, so the hour collection holds only marks: a list opening an hour reads small mark
 * documents, not tasks. `a` (made before) kept the first `size` in the hour collection itself,
 * shelves from 1. Ids made elsewhere (older versions, any plain ObjectId) carry no tag: they
 * live in the hour collection. Both still read where their id says.
 */
const TAG = 'c5';
/** The shape made now (every task on a shelf); `a`: the first shelf's tasks in the hour collection. */
const SHAPE = 'b';
const LEGACY_SHAPE = 'a';
const MAX_COUNTER = 0xffffff;
export const SHELF_MARK_PREFIX = 'shelf:';
export const DEFAULT_SHELF_SIZE = 256;

/** Where a task's ended copy lives: its hour, and its shelf (null: the hour collection). */
export type ArchivePlace = { bucket: string; shelf: string | null };

/** A shelf as its mark describes it; `first`: the id of the first task made for it, when the creator's mark landed. */
export type ShelfMark = { shelf: string; stamp: string; n: number; first: string | null };

export function shelfBits(size: number): number {
  const bits = Math.round(Math.log2(size));
  if (!Number.isInteger(size) || 2 ** bits !== size || bits < 1 || bits > 15) throw new Error(`shelf size must be a power of two from 2 to 32768, got ${size}`);
  return bits;
}

/** The archive place of a task id (hex). */
export function placeOfId(id: string): ArchivePlace {
  const bucket = bucketOfTime(parseInt(id.slice(0, 8), 16) * 1000);
  if (id.slice(8, 10) !== TAG || (id[10] !== SHAPE && id[10] !== LEGACY_SHAPE)) return { bucket, shelf: null };
  const bits = parseInt(id[11], 16);
  if (!(bits >= 1 && bits <= 15)) return { bucket, shelf: null };
  const n = parseInt(id.slice(18, 24), 16) >> bits;
  return { bucket, shelf: n === 0 && id[10] === LEGACY_SHAPE ? null : shelfName(id.slice(12, 18), n) };
}

export function shelfName(stamp: string, n: number): string {
  return `${stamp}_${n}`;
}

export function shelfCollection(bucket: string, shelf: string): string {
  return `${archiveCollection(bucket)}_${shelf}`;
}

export function placeCollection(p: ArchivePlace): string {
  return p.shelf ? shelfCollection(p.bucket, p.shelf) : archiveCollection(p.bucket);
}

/** The hour of a shelf collection name, or null for any other name. */
export function bucketOfShelfCollection(name: string): string | null {
  const m = /^task_archive_(\d{10})_[0-9a-f]{6}_\d+$/.exec(name);
  return m ? m[1] : null;
}

export function parseShelf(shelf: string): { stamp: string; n: number } | null {
  const m = /^([0-9a-f]{6})_(\d+)$/.exec(shelf);
  return m ? { stamp: m[1], n: Number(m[2]) } : null;
}

/**
 * Makes task ids (see the file comment). Ids of one generator increase strictly: the second
 * never goes back (a clock stepped back keeps the last second), and the counter restarts only
 * in a later hour; past 2^24 ids in an hour a new stamp takes over.
 */
export class TaskIdGenerator {
  private readonly bits: number;
  private stamp = newStamp();
  private hour = '';
  private lastSec = 0;
  private counter = 0;

  constructor(shelfSize = DEFAULT_SHELF_SIZE) {
    this.bits = shelfBits(shelfSize);
  }

  /** The next id, and the shelf it opens (a shelf's first id), if any. */
  next(nowMs = Date.now()): { id: string; opens: (ShelfMark & { bucket: string }) | null } {
    const sec = Math.max(this.lastSec, Math.floor(nowMs / 1000));
    this.lastSec = sec;
    const hour = bucketOfTime(sec * 1000);
    if (hour !== this.hour) {
      this.hour = hour;
      this.counter = 0;
    }
    if (this.counter > MAX_COUNTER) {
      this.stamp = newStamp();
      this.counter = 0;
    }
    const c = this.counter++;
    const id = sec.toString(16).padStart(8, '0') + TAG + SHAPE + this.bits.toString(16) + this.stamp + c.toString(16).padStart(6, '0');
    const n = c >> this.bits;
    const opens = c % 2 ** this.bits === 0 ? { bucket: hour, shelf: shelfName(this.stamp, n), stamp: this.stamp, n, first: id } : null;
    return { id, opens };
  }
}

function newStamp(): string {
  return randomBytes(3).toString('hex');
}

/**
 * The id bounds of the shelves of one hour: ids of a shelf are at least its `first` and below
 * the `first` of the same process's next shelf. Unknown bounds are the hour's: `lower` null
 * (from the hour's start), `upper` null (to the hour's end).
 */
export function shelfBounds(marks: ShelfMark[]): Map<string, { lower: string | null; upper: string | null }> {
  const byStamp = new Map<string, ShelfMark[]>();
  for (const m of marks) byStamp.set(m.stamp, [...(byStamp.get(m.stamp) ?? []), m]);
  const out = new Map<string, { lower: string | null; upper: string | null }>();
  for (const list of byStamp.values()) {
    const byN = new Map(list.map((m) => [m.n, m]));
    for (const m of list) out.set(m.shelf, { lower: m.first, upper: byN.get(m.n + 1)?.first ?? null });
  }
  return out;
}
