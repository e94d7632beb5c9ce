import { timePrefix } from '../dedup-key';

/**
 * Reads the documents whose `_id` lies in [lo, hi) (either side open), at most `limit` (0: all),
 * unsorted; `scanned` is how many the range held before the caller's own filter.
 */
export type RangeReader<T> = (lo: string | null, hi: string | null, limit: number) => Promise<{ docs: T[]; scanned: number }>;

/** Documents one window may hold before it is split (they are sorted here, in memory). */
const WINDOW_CAP = 2000;
const FIRST_SPAN_MS = 2000;

/**
 * The `need` newest documents by `_id` without asking the database to sort: `_id` starts with
 * the time the item was read, so the newest are found by walking back over `_id` ranges, an
 * indexed range read on MongoDB and FerretDB alike (FerretDB sorts a whole filtered collection in
 * memory: 61 s for a page at 100k items). A window with more than WINDOW_CAP documents is
 * narrowed; empty or sparse ones widen, so a page costs a few range reads whatever the size.
 */
export async function newestFirst<T extends { _id: string }>(read: RangeReader<T>, need: number, nowMs: number): Promise<T[]> {
  const out: T[] = [];
  let hiMs: number | null = null; // null: no upper bound (the first window includes clocks ahead of ours)
  let span = FIRST_SPAN_MS;
  let top = nowMs;
  while (out.length < need) {
    const loMs = top - span;
    const lo = loMs > 0 ? timePrefix(loMs) : null;
    const hi = hiMs === null ? null : timePrefix(hiMs);
    let r = await read(lo, hi, WINDOW_CAP + 1);
    if (r.scanned > WINDOW_CAP && span > 1) {
      span = Math.max(1, Math.floor(span / 4));
      continue;
    }
    // One millisecond with more items than the cap (one line's payload shares its time): all of them.
    if (r.scanned > WINDOW_CAP) r = await read(lo, hi, 0);
    const docs = r.docs;
    docs.sort((a, b) => (a._id < b._id ? 1 : a._id > b._id ? -1 : 0));
    out.push(...docs);
    if (lo === null) break; // reached the beginning of time
    hiMs = loMs;
    top = loMs;
    if (r.scanned < WINDOW_CAP / 4) span *= 4;
  }
  return out.slice(0, need);
}
