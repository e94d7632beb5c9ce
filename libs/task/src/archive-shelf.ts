/**
 * Shelves: the size-bounded tables an archive hour keeps its ended tasks in
 * (`task_archive_<hour>_<n>`), and the seal each one gets when it is full: the range of task
 * ids it holds and which statuses, spiders and nodes occur in it. Pure logic; the I/O is in
 * master/task-archive.repository.ts.
 *
 * Why: an hour that ended 30k tasks is a 15 MB collection, and FerretDB reads a whole
 * collection for any query but `_id` equality (~0.3 ms per task). A page of 20 must read a
 * few bounded shelves, chosen by their seals, never the hour.
 */

/** Tasks a shelf takes before its writer seals it: a whole-shelf read stays ~30 ms on FerretDB. */
export const SHELF_TASKS = 100;
/** A writer starts a new shelf when its current one is this old, so a shelf's writes end early. */
export const SHELF_MAX_AGE_MS = 120_000;
/**
 * A shelf left unsealed this long (its writer died, or sealing failed) is sealed by the first
 * reader, from its whole content: its writer stopped writing into it 8 minutes before.
 */
export const SHELF_STALE_MS = 600_000;
/** A seal lists up to this many distinct spiders and nodes; more is recorded as "any". */
export const SEAL_KEYS = 16;

export type ShelfSeal = {
  /** Tasks stored (an upper bound: retention may have removed some since). */
  count: number;
  /** Smallest and largest task id (hex) in the shelf. */
  lo: string;
  hi: string;
  /** Tasks per status. */
  st: Record<string, number>;
  /** Distinct spider / node ids, or null when more than SEAL_KEYS occur. */
  sp: string[] | null;
  nd: string[] | null;
};

export type ShelfFilter = { status?: string; spiderId?: string; nodeId?: string };
type Summarized = { _id: { toString(): string }; status: string; spiderId: string; nodeId: string | null };

/** The seal of a shelf holding `tasks` (also of tasks a writer tried to store: over-approximating is safe). */
export function summarize(tasks: Summarized[]): ShelfSeal | null {
  if (tasks.length === 0) return null;
  let lo = String(tasks[0]._id);
  let hi = lo;
  const st: Record<string, number> = {};
  const sp = new Set<string>();
  const nd = new Set<string>();
  for (const t of tasks) {
    const id = String(t._id);
    if (id < lo) lo = id;
    if (id > hi) hi = id;
    st[t.status] = (st[t.status] ?? 0) + 1;
    sp.add(t.spiderId);
    nd.add(t.nodeId ?? '');
  }
  return { count: tasks.length, lo, hi, st, sp: sp.size > SEAL_KEYS ? null : [...sp].sort(), nd: nd.size > SEAL_KEYS ? null : [...nd].sort() };
}

/** Whether a sealed shelf may hold a task matching `filter` with an id below `before`. */
export function sealMayMatch(seal: ShelfSeal, filter: ShelfFilter, before?: string): boolean {
  if (before !== undefined && seal.lo >= before) return false;
  if (filter.status && !seal.st[filter.status]) return false;
  if (filter.spiderId && seal.sp && !seal.sp.includes(filter.spiderId)) return false;
  if (filter.nodeId && seal.nd && !seal.nd.includes(filter.nodeId)) return false;
  return true;
}

/** The next ObjectId in hex order: ids `< idSuccessor(x)` are the ids `<= x`. */
export function idSuccessor(hex: string): string {
  return (BigInt('0x' + hex) + 1n).toString(16).padStart(24, '0');
}

/**
 * The newest-first merge over shelves: given the ids read so far (unsealed shelves, then
 * sealed ones by `hi`, highest first) and the `hi` of the highest shelf not read yet, the
 * rows above that `hi` are final (no unread shelf holds a larger id). Returns the bound from
 * which every row is known (`covered`: all rows with id >= covered were read) when at least
 * `limit` rows lie above it, else null (read more).
 */
export function coveredBound(ids: string[], nextHi: string, limit: number): string | null {
  const covered = idSuccessor(nextHi);
  let above = 0;
  for (const id of ids) if (id >= covered) above++;
  return above >= limit ? covered : null;
}
