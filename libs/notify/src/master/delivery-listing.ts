import { randomBytes } from 'node:crypto';
import type { DeliveryRecord } from '../notify.types';

/**
 * The deliveries history's listing: how "the newest deliveries" is read without scanning the
 * history. On the embedded FerretDB every read but an `_id` lookup scans its collection, so
 * `notify_deliveries` (the records, read and updated by `_id`) cannot also serve a page sorted
 * by time: at 100,000 deliveries a page took 8.5–10.6 s. So each delivery also gets a small,
 * insert-only entry in a **shelf**: `notify_history_<hour>_<stamp>_<n>`, at most SHELF_SIZE
 * entries written by one master process (`stamp`, random per process) in one hour (UTC), in
 * the order it wrote them. The hour collection `notify_history_<hour>` holds one mark per
 * shelf, written before the shelf's first entry, with the time of that entry (`first`), and a
 * summary once the process moved on to its next shelf: the time of its last entry and the
 * channels, rules, spiders and projects its entries name. `notify_history_hours` lists the
 * hours. A page reads hours and shelves newest first and stops once it holds `limit` entries
 * no unread shelf can beat; a summary lets a filtered page skip shelves without a match.
 *
 * Order: newest first by when a delivery entered the history (its first attempt recorded, or
 * it was queued), which is a few seconds at most after its `createdAt`.
 *
 * A second listing of the same shape, `notify_failed_*`, gets an entry each time a delivery is
 * given up, so "failed" pages do not walk every sent delivery to find the rare failure.
 */
export const LISTINGS = { all: 'notify_history_', failed: 'notify_failed_' } as const;
export type ListingPrefix = (typeof LISTINGS)[keyof typeof LISTINGS];
export const SHELF_SIZE = 512;
const MARK = 'shelf:';
const SUMMARY = 'sum:';
const HOUR_MS = 3_600_000;

/** What a shelf keeps of a delivery: the fields that never change, for filters, and when it was listed. */
export type ListingEntry = { _id: string; at: Date; channelId: string; ruleIds: string[]; spiderId: string | null; projectId: string | null };
export type ShelfMark = { _id: string; stamp: string; n: number; first: Date };
export type ShelfSummary = { _id: string; stamp: string; n: number; last: Date; channelIds: string[]; ruleIds: string[]; spiderIds: (string | null)[]; projectIds: (string | null)[] };
export type ListingFilter = { ruleId?: string; channelId?: string; spiderId?: string; projectIds?: ReadonlySet<string> | null };

/** `YYYYMMDDHH` (UTC) of time `ms`. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

export function hourEndMs(hour: string): number {
  return Date.UTC(+hour.slice(0, 4), +hour.slice(4, 6) - 1, +hour.slice(6, 8), +hour.slice(8, 10)) + HOUR_MS;
}

/** The listing's list of its hours (one document per hour, `_id` = the hour). */
export function hoursCollection(prefix: ListingPrefix): string {
  return `${prefix}hours`;
}

export function hourCollection(prefix: ListingPrefix, hour: string): string {
  return prefix + hour;
}

export function shelfCollection(prefix: ListingPrefix, hour: string, stamp: string, n: number): string {
  return `${prefix}${hour}_${stamp}_${n}`;
}

export function entryOf(d: DeliveryRecord, at: Date): ListingEntry {
  return { _id: d._id, at, channelId: d.channelId, ruleIds: d.ruleIds, spiderId: d.spiderId, projectId: d.projectId };
}

/** What one call of `ShelfWriter.place` asks to write, in this order: hours, marks, entries, summaries. */
export type ShelfWrites = { hours: string[]; marks: { hour: string; mark: ShelfMark }[]; shelves: { name: string; mark: string; entries: ListingEntry[] }[]; summaries: { hour: string; summary: ShelfSummary }[] };

type OpenShelf = { hour: string; n: number; count: number; first: Date; last: Date; channels: Set<string>; rules: Set<string>; spiders: Set<string | null>; projects: Set<string | null> };

/**
 * Puts deliveries on this process's shelves, synchronously (so concurrent callers never share
 * a place), and says what must be written. A process writes its entries in the order it
 * placed them, so a shelf's entries are listed no earlier than its `first` and no later than
 * its summary's `last` (or the next shelf's `first`).
 */
export class ShelfWriter {
  readonly stamp: string;
  private open: OpenShelf | null = null;

  constructor(
    private readonly prefix: ListingPrefix,
    stamp = randomBytes(3).toString('hex'),
    private readonly size = SHELF_SIZE,
  ) {
    this.stamp = stamp;
  }

  place(ds: DeliveryRecord[], now = new Date()): ShelfWrites {
    const out: ShelfWrites = { hours: [], marks: [], shelves: [], summaries: [] };
    const hour = hourOf(now.getTime());
    for (const d of ds) {
      let s = this.open;
      if (!s || s.hour !== hour || s.count >= this.size) {
        if (s) out.summaries.push({ hour: s.hour, summary: this.summaryOf(s) });
        const n = s && s.hour === hour ? s.n + 1 : 0;
        s = this.open = { hour, n, count: 0, first: now, last: now, channels: new Set(), rules: new Set(), spiders: new Set(), projects: new Set() };
        if (n === 0) out.hours.push(hour);
        out.marks.push({ hour, mark: { _id: `${MARK}${this.stamp}_${n}`, stamp: this.stamp, n, first: now } });
      }
      s.count++;
      s.last = now;
      s.channels.add(d.channelId);
      for (const r of d.ruleIds) s.rules.add(r);
      s.spiders.add(d.spiderId);
      s.projects.add(d.projectId);
      const name = shelfCollection(this.prefix, hour, this.stamp, s.n);
      let shelf = out.shelves.find((x) => x.name === name);
      if (!shelf) out.shelves.push((shelf = { name, mark: `${hour}/${MARK}${this.stamp}_${s.n}`, entries: [] }));
      shelf.entries.push(entryOf(d, now));
    }
    return out;
  }

  private summaryOf(s: OpenShelf): ShelfSummary {
    return { _id: `${SUMMARY}${this.stamp}_${s.n}`, stamp: this.stamp, n: s.n, last: s.last, channelIds: [...s.channels], ruleIds: [...s.rules], spiderIds: [...s.spiders], projectIds: [...s.projects] };
  }
}

/** A shelf as a reader sees it: where it is, the newest entry it can hold, and whether a filter can match in it. */
export type ShelfOnDisk = { name: string; upper: number };

/**
 * The shelves of an hour from its collection's documents (marks and summaries), newest bound
 * first. `upper`: the summary's `last`, else the same process's next shelf's `first`, else the
 * end of the hour. Shelves whose summary shows no entry the filter can match are left out.
 */
export function shelvesOfHour(prefix: ListingPrefix, hour: string, docs: (ShelfMark | ShelfSummary)[], f: ListingFilter): ShelfOnDisk[] {
  const marks = docs.filter((d): d is ShelfMark => d._id.startsWith(MARK));
  const sums = new Map(docs.filter((d): d is ShelfSummary => d._id.startsWith(SUMMARY)).map((s) => [`${s.stamp}_${s.n}`, s]));
  const firstOf = new Map(marks.map((m) => [`${m.stamp}_${m.n}`, new Date(m.first).getTime()]));
  const out: ShelfOnDisk[] = [];
  for (const m of marks) {
    const sum = sums.get(`${m.stamp}_${m.n}`);
    if (sum && !summaryMayMatch(sum, f)) continue;
    const upper = sum ? new Date(sum.last).getTime() : firstOf.get(`${m.stamp}_${m.n + 1}`) ?? hourEndMs(hour);
    out.push({ name: shelfCollection(prefix, hour, m.stamp, m.n), upper });
  }
  return out.sort((a, b) => b.upper - a.upper);
}

function summaryMayMatch(s: ShelfSummary, f: ListingFilter): boolean {
  if (f.channelId && !s.channelIds.includes(f.channelId)) return false;
  if (f.ruleId && !s.ruleIds.includes(f.ruleId)) return false;
  if (f.spiderId && !s.spiderIds.includes(f.spiderId)) return false;
  if (f.projectIds && !s.projectIds.some((p) => p !== null && f.projectIds!.has(p))) return false;
  return true;
}

/** The filter a shelf read applies (the fields entries keep). */
export function entryQuery(f: ListingFilter, after?: Date): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (f.ruleId) q.ruleIds = f.ruleId;
  if (f.channelId) q.channelId = f.channelId;
  if (f.spiderId) q.spiderId = f.spiderId;
  if (f.projectIds) q.projectId = { $in: [...f.projectIds] };
  if (after) q.at = { $gt: after };
  return q;
}
