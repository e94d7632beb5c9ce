/**
 * Shelves: the size-bounded tables an archive hour keeps its ended tasks in
 * (`task_archive_<hour>_<n>`), and the seal each one gets when it is full: an index of the
 * tasks it holds. Pure logic; the I/O is in master/task-archive.repository.ts and
 * master/archive-shelves.ts.
 *
 * Why: an hour that ended 30k tasks is a 15 MB collection, and FerretDB reads a whole
 * collection for any query but `_id` equality (~0.3 ms per task). A page of 20 must read its
 * 20 tasks (found through the seals) and the few unsealed shelves, never the hour.
 */

/** Tasks a shelf takes before its writer seals it: a whole-shelf read stays ~30 ms on FerretDB. */
export const SHELF_TASKS = 100;
/**
 * A shelf is closed by count, not by age (closing by age made a table every 2 minutes of light
 * traffic: ~21k tables a month). Its writer stops writing into it this long after its hour
 * ended (or after it opened, for a shelf opened later by a task that ran past its hour), and
 * seals it then.
 */
export const SHELF_WRITE_GRACE_MS = 120_000;
/**
 * A shelf left unsealed this long past that point (its writer died, or sealing failed) is
 * sealed by the first reader or compaction, from its whole content: its writer stopped writing
 * into it 8 minutes before.
 */
export const SHELF_STALE_MS = 600_000;
/**
 * Shelves a compaction replaced are dropped this long after the switch (the replacing seal):
 * a read that began before the switch (bounded by the list budget, ~1 s) never finds its shelf gone.
 */
export const SHELF_DROP_DELAY_MS = 30_000;

/** The time after which nobody writes into a shelf of the hour ending at `hourEndMs` opened at `openedAt`. */
export function shelfWriteEnd(hourEndMs: number, openedAt: number): number {
  return Math.max(hourEndMs, openedAt) + SHELF_WRITE_GRACE_MS;
}

/** Whether an unsealed shelf is abandoned (sealed by whoever finds it). */
export function shelfIsStale(hourEndMs: number, openedAt: number, now: number): boolean {
  return now > Math.max(hourEndMs, openedAt) + SHELF_STALE_MS;
}

/**
 * Which sealed small shelves of an ended hour to merge: groups of two or more, oldest shelf
 * first, each holding at most `max` tasks together. A quiet hour (fewer than `max` tasks in
 * shelves of two replicas, late tasks, a bulk insert's remainder) becomes one shelf.
 */
export function compactionGroups(shelves: { n: number; count: number }[], max = SHELF_TASKS): number[][] {
  const small = shelves.filter((s) => s.count < max).sort((a, b) => a.n - b.n);
  const groups: number[][] = [];
  let cur: number[] = [];
  let sum = 0;
  for (const s of small) {
    if (sum + s.count > max && cur.length) {
      groups.push(cur);
      cur = [];
      sum = 0;
    }
    cur.push(s.n);
    sum += s.count;
  }
  if (cur.length) groups.push(cur);
  return groups.filter((g) => g.length >= 2);
}

export type ShelfFilter = { status?: string; spiderId?: string; nodeId?: string; spiderIds?: ReadonlySet<string> };
type Indexed = { _id: { toString(): string }; status: string; spiderId: string; nodeId: string | null };

/**
 * The seal of a shelf, as stored: its id range, and an index of every task in it (id, status,
 * spider, node) packed into one string (FerretDB stores a type entry per array element; one
 * string costs its length). ~30 bytes a task. With the seals a reader knows which tasks a page
 * shows and where each lies before it reads a task: the page reads those tasks, not the hour.
 */
export type ShelfSeal = { count: number; lo: string; hi: string; x: string };
/**
 * A seal as stored in the directory. `replaces`: the shelves a compaction merged into this one
 * (readers ignore them from then on); `at`: when it was written.
 */
export type SealDoc = ShelfSeal & { replaces?: number[]; at?: Date };
/** A seal unpacked: parallel arrays, newest id first. */
export type ShelfIndex = { ids: string[]; status: string[]; spider: string[]; node: string[] };

/** The seal of a shelf holding `tasks` (also of tasks a writer tried to store: over-approximating is safe). */
export function packSeal(tasks: Indexed[]): ShelfSeal | null {
  if (tasks.length === 0) return null;
  const rows = [...new Map(tasks.map((t) => [String(t._id), t])).entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1));
  const keys: string[] = [];
  const keyOf = new Map<string, number>();
  const key = (k: string) => {
    let i = keyOf.get(k);
    if (i === undefined) {
      i = keys.length;
      keys.push(k);
      keyOf.set(k, i);
    }
    return i;
  };
  const x = {
    i: rows.map(([id]) => id).join(''),
    t: rows.map(([, t]) => [key(t.status), key(t.spiderId), key(t.nodeId ?? '')]).flat(),
    k: keys,
  };
  return { count: rows.length, lo: rows[rows.length - 1][0], hi: rows[0][0], x: JSON.stringify(x) };
}

export function unpackSeal(seal: ShelfSeal): ShelfIndex {
  const x = JSON.parse(seal.x) as { i: string; t: number[]; k: string[] };
  const n = x.i.length / 24;
  const out: ShelfIndex = { ids: new Array<string>(n), status: new Array<string>(n), spider: new Array<string>(n), node: new Array<string>(n) };
  for (let j = 0; j < n; j++) {
    out.ids[j] = x.i.slice(j * 24, j * 24 + 24);
    out.status[j] = x.k[x.t[j * 3]];
    out.spider[j] = x.k[x.t[j * 3 + 1]];
    out.node[j] = x.k[x.t[j * 3 + 2]];
  }
  return out;
}

function matchesAt(index: ShelfIndex, j: number, filter: ShelfFilter): boolean {
  return (!filter.status || index.status[j] === filter.status) && (!filter.spiderId || index.spider[j] === filter.spiderId) && (!filter.nodeId || index.node[j] === filter.nodeId) && (!filter.spiderIds || filter.spiderIds.has(index.spider[j]));
}

/** Tasks of one sealed shelf matching `filter`. */
export function countMatches(index: ShelfIndex, filter: ShelfFilter): number {
  if (!filter.status && !filter.spiderId && !filter.nodeId && !filter.spiderIds) return index.ids.length;
  let n = 0;
  for (let j = 0; j < index.ids.length; j++) if (matchesAt(index, j, filter)) n++;
  return n;
}

/** One task a seal lists: its id and the shelf holding it. */
export type Located = { id: string; shelf: number };

/**
 * The newest `limit` tasks matching `filter` below `before` among sealed shelves' indexes
 * (a task listed by two shelves, stored twice by a racing replay, is taken once).
 */
export function newestInSeals(shelves: { n: number; index: ShelfIndex }[], filter: ShelfFilter, before: string | undefined, limit: number): Located[] {
  // Newest shelf first (ids in a shelf are newest first): once `limit` matches are found, a
  // shelf whose newest id is below all of them is skipped whole. A crowded hour of 300 shelves
  // costs a few shelves' scans, not a sort of its 30k ids per page.
  const order = shelves.filter((s) => s.index.ids.length).sort((x, y) => (x.index.ids[0] < y.index.ids[0] ? 1 : -1));
  const found = new Map<string, number>();
  let floor = ''; // the limit-th newest found so far ('' until known: every id is above it)
  for (const { n, index } of order) {
    if (index.ids[0] < floor) break;
    let taken = 0;
    for (let j = 0; j < index.ids.length && taken < limit; j++) {
      const id = index.ids[j];
      if (before !== undefined && id >= before) continue;
      if (id < floor) break;
      if (!matchesAt(index, j, filter)) continue;
      if (!found.has(id)) found.set(id, n);
      taken++;
    }
    if (found.size > limit * 2 && Number.isFinite(limit)) {
      const keep = [...found.entries()].sort((x, y) => (x[0] < y[0] ? 1 : -1)).slice(0, limit);
      found.clear();
      for (const [id, shelf] of keep) found.set(id, shelf);
      floor = keep[keep.length - 1][0];
    }
  }
  const all = [...found.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1));
  return all.slice(0, limit).map(([id, shelf]) => ({ id, shelf }));
}
