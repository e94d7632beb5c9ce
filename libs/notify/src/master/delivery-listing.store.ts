import type { Connection, mongo } from 'mongoose';
import type { DeliveryRecord } from '../notify.types';
import { collection, COLLECTIONS, insertManyOnce, insertOnce } from './notify-collections';
import {
  entryQuery,
  hourCollection,
  hourEndMs,
  hoursCollection,
  ListingEntry,
  ListingFilter,
  ListingPrefix,
  ShelfMark,
  ShelfOnDisk,
  shelvesOfHour,
  ShelfSummary,
  ShelfWriter,
  SHELF_SIZE,
} from './delivery-listing';

/** Records by id, as the repository reads them (whole, events joined back). */
export type ReadRecords = (ids: string[]) => Promise<Map<string, DeliveryRecord>>;

const SINCE = 'listing-since';

/** When listing began, and whether delivery records existed then (written by a version without it). */
export type ListingSince = { at: Date; unlisted: boolean };

type Frontier = { kind: 'hour'; hour: string; upper: number } | { kind: 'shelf'; shelf: ShelfOnDisk; upper: number };

/**
 * Writes and reads the listing of delivery-listing.ts. Writes: the hour (once per process),
 * each shelf's mark before its first entry, the entries, then the summaries of the shelves
 * this process left. Everything is inserted by `_id` and never updated, so a replayed write
 * collides and FerretDB's read-then-write updates never come in.
 */
export class DeliveryListingStore {
  private readonly writer: ShelfWriter;
  private readonly hoursWritten = new Set<string>();
  /** Marks of the shelves this process has not summarized, by `<hour>/<mark id>`: a shelf's entries wait for its mark's write. */
  private readonly marks = new Map<string, { hour: string; mark: ShelfMark; written: Promise<void> | null }>();

  /** When the first delivery was listed (by any replica), and whether records existed then (unlisted ones). */
  private since: ListingSince | null = null;

  /**
   * `recordsExist`: whether any delivery record is stored yet, asked once, when listing begins
   * (given to the listing of all deliveries, which notes when it began).
   */
  constructor(
    private readonly conn: Connection,
    private readonly prefix: ListingPrefix,
    private readonly recordsExist: (() => Promise<boolean>) | null,
    shelfSize = SHELF_SIZE,
  ) {
    this.writer = new ShelfWriter(prefix, undefined, shelfSize);
  }

  private coll<T extends mongo.Document>(name: string) {
    return collection<T>(this.conn, name);
  }

  /** Lists deliveries (records just inserted, or about to be): resolves once their entries are written. */
  async add(ds: DeliveryRecord[], now = new Date()): Promise<void> {
    if (ds.length === 0) return;
    if (!this.since && this.recordsExist) await this.noteSince(this.recordsExist);
    const w = this.writer.place(ds, now);
    for (const hour of w.hours) {
      if (this.hoursWritten.has(hour)) continue;
      await insertOnce(this.coll<{ _id: string }>(hoursCollection(this.prefix)), { _id: hour });
      this.hoursWritten.add(hour);
    }
    for (const { hour, mark } of w.marks) this.marks.set(`${hour}/${mark._id}`, { hour, mark, written: null });
    for (const s of w.shelves) {
      await this.markWritten(s.mark);
      await insertManyOnce(this.coll<ListingEntry>(s.name), s.entries);
    }
    for (const { hour, summary } of w.summaries) {
      // A summary is read beside its mark: the mark goes first, even when this call put nothing on that shelf.
      await this.markWritten(`${hour}/shelf:${summary.stamp}_${summary.n}`);
      await insertOnce(this.coll<ShelfSummary>(hourCollection(this.prefix, hour)), summary);
      this.marks.delete(`${hour}/shelf:${summary.stamp}_${summary.n}`);
    }
  }

  /** Writes a shelf's mark once (callers share the write); a failed write is made again by the next caller. */
  private markWritten(key: string): Promise<void> {
    const m = this.marks.get(key);
    if (!m) return Promise.resolve(); // its shelf is summarized: the mark was written
    m.written ??= insertOnce(this.coll<ShelfMark>(hourCollection(this.prefix, m.hour)), m.mark).then(
      () => undefined,
      (err: unknown) => {
        m.written = null;
        throw err;
      },
    );
    return m.written;
  }

  /**
   * The newest `limit` deliveries that match, newest listed first. `accept` says whether a
   * record passes what entries do not keep (status, `createdAt`); `read` gets records by id.
   * Reads the hours and shelves with the highest bound first, and stops once `limit` accepted
   * records are listed no earlier than every unread bound.
   */
  async page(f: ListingFilter, limit: number, after: Date | undefined, read: ReadRecords, accept: (d: DeliveryRecord) => boolean): Promise<DeliveryRecord[]> {
    const afterMs = after?.getTime() ?? -Infinity;
    const hours = (await this.coll<{ _id: string }>(hoursCollection(this.prefix)).find({}).toArray()).map((h) => h._id).filter((h) => hourEndMs(h) > afterMs);
    const frontier: Frontier[] = hours.map((hour) => ({ kind: 'hour', hour, upper: hourEndMs(hour) }));
    const candidates: ListingEntry[] = [];
    const seen = new Set<string>();
    const accepted: { at: number; d: DeliveryRecord }[] = [];
    const q = entryQuery(f, after);
    for (;;) {
      frontier.sort((a, b) => b.upper - a.upper);
      const bound = frontier.length ? frontier[0].upper : -Infinity;
      // Records listed at or after every unread bound are final: check the newest of them.
      candidates.sort((a, b) => b.at.getTime() - a.at.getTime());
      while (accepted.length < limit) {
        const ready: ListingEntry[] = [];
        while (candidates.length && candidates[0].at.getTime() >= bound && ready.length < Math.max(16, limit - accepted.length)) ready.push(candidates.shift() as ListingEntry);
        if (ready.length === 0) break;
        const records = await read(ready.map((e) => e._id));
        for (const e of ready) {
          const d = records.get(e._id);
          // No record: its write failed after the entry's, or retention removed it.
          if (d && accept(d)) accepted.push({ at: e.at.getTime(), d });
        }
      }
      if (accepted.length >= limit || frontier.length === 0) break;
      const next = frontier.shift() as Frontier;
      if (next.kind === 'hour') {
        const docs = await this.coll<ShelfMark | ShelfSummary>(hourCollection(this.prefix, next.hour)).find({}).toArray();
        for (const shelf of shelvesOfHour(this.prefix, next.hour, docs, f)) if (shelf.upper > afterMs) frontier.push({ kind: 'shelf', shelf, upper: shelf.upper });
      } else {
        for (const e of await this.coll<ListingEntry>(next.shelf.name).find(q).toArray()) {
          // A replayed write may list a delivery twice (another process, another shelf): once is enough.
          if (seen.has(e._id)) continue;
          seen.add(e._id);
          candidates.push({ ...e, at: new Date(e.at) });
        }
      }
    }
    return accepted.sort((a, b) => b.at - a.at).slice(0, limit).map((a) => a.d);
  }

  /**
   * When listing began: records created before it (by a version without the listing) are read
   * from the records themselves. Null: nothing listed yet, so no record is.
   */
  async listedSince(): Promise<ListingSince | null> {
    this.since ??= (await this.meta().findOne({ _id: SINCE })) ?? null;
    return this.since;
  }

  private async noteSince(recordsExist: () => Promise<boolean>): Promise<void> {
    // Asked before anything is listed (records are written after their entries): a fresh install has no unlisted record.
    await insertOnce(this.meta(), { _id: SINCE, at: new Date(), unlisted: await recordsExist() });
    this.since = null;
    await this.listedSince();
  }

  private meta() {
    return this.coll<ListingSince & { _id: string }>(COLLECTIONS.meta);
  }

  /** The listed hours, oldest first. */
  async hours(): Promise<string[]> {
    return (await this.coll<{ _id: string }>(hoursCollection(this.prefix)).find({}).toArray()).map((h) => h._id).sort();
  }

  /**
   * Drops the hours that ended before `cutoff`: their shelves, the hour collection, then its
   * line in the hours list. `beforeDrop` is given each shelf's delivery ids first (retention
   * deletes their records by `_id`): a pass cut half-way drops nothing it has not handed over,
   * and the next pass hands the rest again. Returns the hours dropped.
   */
  async dropBefore(cutoff: Date, beforeDrop?: (ids: string[]) => Promise<void>): Promise<number> {
    let dropped = 0;
    for (const hour of await this.hours()) {
      if (hourEndMs(hour) > cutoff.getTime()) break;
      const docs = await this.coll<ShelfMark | ShelfSummary>(hourCollection(this.prefix, hour)).find({}).toArray();
      for (const s of shelvesOfHour(this.prefix, hour, docs, {})) {
        if (beforeDrop) await beforeDrop((await this.coll<ListingEntry>(s.name).find({}, { projection: { _id: 1 } }).toArray()).map((e) => e._id));
        await this.drop(s.name);
      }
      await this.drop(hourCollection(this.prefix, hour));
      await this.coll<{ _id: string }>(hoursCollection(this.prefix)).deleteOne({ _id: hour });
      this.hoursWritten.delete(hour);
      dropped++;
    }
    return dropped;
  }

  private async drop(name: string): Promise<void> {
    try {
      await this.conn.db!.dropCollection(name);
    } catch (err) {
      // Already gone: another replica's pass, or never written.
      if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
    }
  }
}
