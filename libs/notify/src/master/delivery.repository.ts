import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import type { DeliveryRecord, DeliveryStatus } from '../notify.types';
import { collection, COLLECTIONS, insertManyOnce, insertManyReport, insertOnce } from './notify-collections';
import { holdersToRead, joinEvents, slimForStorage } from './delivery-events';
import { LISTINGS } from './delivery-listing';
import { DeliveryListingStore } from './delivery-listing.store';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';

export type DueDoc = { _id: string; at: Date };
export type ClaimDoc = { _id: string; by: string; at: Date };
export type DeliveryFilter = { ruleId?: string; channelId?: string; status?: DeliveryStatus; after?: Date; spiderId?: string; projectIds?: ReadonlySet<string> | null };

/**
 * Deliveries (history), the due list and attempt claims. The due list holds one tiny row per
 * unsettled delivery, so the senders' scan of it (FerretDB has no index on `at`) stays small
 * however long the history grows. Records are read and updated by `_id`; the history's pages
 * come from the listing (delivery-listing.ts: small insert-only shelves, newest first), and
 * only records created before the listing existed are found by filtering the records. A batch
 * of first attempts stores each event once (delivery-events.ts): the other channels' records
 * name the record holding it, and every read joins it back by `_id` (the one read FerretDB
 * serves from an index), so callers always get whole records.
 */
@Injectable()
export class DeliveryRepository {
  private indexed = false;
  /** Every delivery, as it is first recorded; and each delivery again whenever it is given up. */
  private readonly listing: DeliveryListingStore;
  private readonly failedListing: DeliveryListingStore;

  constructor(
    @InjectConnection() private readonly conn: Connection,
    @Inject(NOTIFY_MASTER_OPTIONS) private readonly opts: NotifyMasterOptions,
  ) {
    this.failedListing = new DeliveryListingStore(conn, LISTINGS.failed, null);
    this.listing = new DeliveryListingStore(conn, LISTINGS.all, async () => (await this.deliveries().findOne({}, { projection: { _id: 1 } })) !== null);
  }

  private deliveries() {
    return collection<DeliveryRecord>(this.conn, COLLECTIONS.deliveries);
  }
  private dueList() {
    return collection<DueDoc>(this.conn, COLLECTIONS.due);
  }
  private claims() {
    return collection<ClaimDoc>(this.conn, COLLECTIONS.claims);
  }

  /** Records a delivery and puts it on the due list; false when it existed (a replayed fan-out). */
  async create(d: DeliveryRecord): Promise<boolean> {
    // Listed before it is written, so no crash leaves a record unlisted; a digest's record,
    // created again for each event it gathers, is listed once.
    if (!(await this.deliveries().findOne({ _id: d._id }, { projection: { _id: 1 } }))) {
      await this.listing.add([d]);
      if (d.status === 'failed') await this.failedListing.add([d]); // a channel test that failed
    }
    const created = await insertOnce(this.deliveries(), d);
    const existing = created ? d : await this.get(d._id);
    // Due before anything else can settle it: a fan-out cut after the insert is replayed here.
    if (existing && (existing.status === 'pending' || existing.status === 'sending')) await this.markDue(d._id, existing.nextAttemptAt);
    return created;
  }

  /**
   * Deliveries whose first attempt is already made, with its outcome, in one insertMany (one
   * write lock on FerretDB/SQLite for the whole batch). One already there (a replayed
   * fan-out) is left as it is; the unsettled ones go on the due list.
   */
  async recordMany(ds: DeliveryRecord[]): Promise<void> {
    if (ds.length === 0) return;
    await this.listing.add(ds);
    await this.failedListing.add(ds.filter((d) => d.status === 'failed'));
    await insertManyOnce(this.deliveries(), slimForStorage(ds));
    const due = ds.filter((d) => d.status === 'pending').map((d) => ({ _id: d._id, at: d.nextAttemptAt }));
    if (due.length) await insertManyOnce(this.dueList(), due);
  }

  async markDue(id: string, at: Date): Promise<void> {
    await this.dueList().replaceOne({ _id: id }, { at }, { upsert: true });
  }

  async notDue(id: string): Promise<void> {
    await this.dueList().deleteOne({ _id: id });
  }

  async dueNow(now: Date, limit: number): Promise<DueDoc[]> {
    return this.dueList().find({ at: { $lte: now } }).limit(limit).toArray();
  }

  async dueAll(): Promise<DueDoc[]> {
    return this.dueList().find({}).toArray();
  }

  /** A delivery with its events (joined back from the record holding them when it is stored slim). */
  async get(id: string): Promise<DeliveryRecord | null> {
    const d = await this.deliveries().findOne({ _id: id });
    return d ? (await this.withEvents([d]))[0] : null;
  }

  /** The project of a delivery, without its events. */
  async projectOf(id: string): Promise<string | null> {
    return (await this.deliveries().findOne({ _id: id }, { projection: { projectId: 1 } }))?.projectId ?? null;
  }

  async update(id: string, set: Partial<DeliveryRecord>): Promise<void> {
    if (set.status === 'failed') {
      // Listed as failed before it is: a stale entry (the update failed, or a retry later sent it) is dropped when read.
      const d = await this.deliveries().findOne({ _id: id }, { projection: { events: 0 } });
      if (d) await this.failedListing.add([d]);
    }
    await this.deliveries().updateOne({ _id: id }, { $set: set });
  }

  /**
   * Claims in one unordered insertMany: the ids whose claim this call inserted. FerretDB and
   * MongoDB both name each duplicate by its index in the batch.
   */
  async tryClaimMany(ids: string[], by: string): Promise<Set<string>> {
    const at = new Date();
    const won = await insertManyReport(this.claims(), ids.map((_id) => ({ _id, by, at })));
    return new Set(ids.filter((_, i) => won[i]));
  }

  tryClaim(id: string, by: string): Promise<boolean> {
    return insertOnce(this.claims(), { _id: id, by, at: new Date() });
  }

  /** The digest an event goes in: `proposed`, unless an earlier fan-out already put it in another. */
  async digestOf(key: string, proposed: string): Promise<string> {
    const id = `in-digest:${key}`;
    if (await insertOnce(this.claims(), { _id: id, by: proposed, at: new Date() })) return proposed;
    return (await this.claim(id))?.by ?? proposed;
  }

  async claim(id: string): Promise<ClaimDoc | null> {
    return this.claims().findOne({ _id: id });
  }

  /**
   * Drops settled deliveries created before `cutoff`, and attempt and fan-out claims made
   * before it. Listed records go with their listing's hours, each deleted by `_id` (the read
   * FerretDB serves from an index; an hour's entries were all listed, so created, before the
   * hour ended). Records from before the listing are found by a filter (a scan on FerretDB)
   * while they may remain. The claims are a scan on FerretDB (MongoDB: the createdAt index).
   * Returns how many deliveries went.
   */
  async pruneBefore(cutoff: Date): Promise<number> {
    let removed = 0;
    let unsettled: Set<string> | null = null;
    await this.listing.dropBefore(cutoff, async (ids) => {
      unsettled ??= new Set((await this.dueAll()).map((d) => d._id));
      removed += await this.deleteSettled(ids, unsettled);
    });
    await this.failedListing.dropBefore(cutoff);
    const since = await this.listing.listedSince();
    if (!since || (since.unlisted && since.at.getTime() > cutoff.getTime() - 86_400_000)) {
      removed += (await this.deliveries().deleteMany({ createdAt: { $lt: cutoff }, status: { $in: ['sent', 'failed'] } })).deletedCount;
    }
    await this.claims().deleteMany({ at: { $lt: cutoff } });
    return removed;
  }

  /**
   * Deletes these records but the unsettled ones (those on the due list, read once), each by
   * `_id` alone: FerretDB serves a delete by `_id` from its index, but one with any other
   * condition scans the collection (measured: minutes for an hour of 100,000 deliveries).
   */
  private async deleteSettled(ids: string[], unsettled: ReadonlySet<string>): Promise<number> {
    const settled = ids.filter((id) => !unsettled.has(id));
    if (settled.length === 0) return 0;
    const r = await this.deliveries().bulkWrite(
      settled.map((_id) => ({ deleteOne: { filter: { _id } } })),
      { ordered: false },
    );
    return r.deletedCount;
  }

  /**
   * The newest deliveries that match, newest first: from the listing, then (while records from
   * before it may remain) from the records created before it.
   */
  async list(f: DeliveryFilter, limit: number): Promise<DeliveryRecord[]> {
    const accept = (d: DeliveryRecord) => (!f.status || d.status === f.status) && (!f.after || new Date(d.createdAt) > f.after);
    const listed =
      f.status === 'pending' || f.status === 'sending'
        ? await this.listPending(f, limit, accept)
        : await (f.status === 'failed' ? this.failedListing : this.listing).page(f, limit, f.after, (ids) => this.getMany(ids), accept);
    const since = await this.listing.listedSince();
    // Unlisted records: none on an install that began with the listing, and none left once retention passed over them.
    const noneUnlisted = since && (!since.unlisted || since.at.getTime() < Date.now() - (this.opts.retentionDays + 1) * 86_400_000 || (f.after && f.after >= since.at));
    if (listed.length >= limit || noneUnlisted) return listed;
    const older = await this.listUnlisted(f, since?.at ?? null, limit);
    const ids = new Set(listed.map((d) => d._id));
    return [...listed, ...older.filter((d) => !ids.has(d._id))].slice(0, limit);
  }

  /** Unsettled deliveries are the due list's (small: one row per unsettled delivery), newest created first. */
  private async listPending(f: DeliveryFilter, limit: number, accept: (d: DeliveryRecord) => boolean): Promise<DeliveryRecord[]> {
    const records = await this.getMany((await this.dueAll()).map((d) => d._id));
    const fits = (d: DeliveryRecord) =>
      accept(d) && (!f.ruleId || d.ruleIds.includes(f.ruleId)) && (!f.channelId || d.channelId === f.channelId) && (!f.spiderId || d.spiderId === f.spiderId) && (!f.projectIds || (d.projectId !== null && f.projectIds.has(d.projectId)));
    return [...records.values()]
      .filter(fits)
      .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())
      .slice(0, limit);
  }

  /** Records by id, whole (events joined back), 16 reads at a time. */
  private async getMany(ids: string[]): Promise<Map<string, DeliveryRecord>> {
    const found: DeliveryRecord[] = [];
    for (let i = 0; i < ids.length; i += 16) {
      for (const d of await Promise.all(ids.slice(i, i + 16).map((_id) => this.deliveries().findOne({ _id })))) if (d) found.push(d);
    }
    return new Map((await this.withEvents(found)).map((d) => [d._id, d]));
  }

  /** Records created before the listing began (`since`; null: none is listed yet), by their fields: a scan on FerretDB. */
  private async listUnlisted(f: DeliveryFilter, since: Date | null, limit: number): Promise<DeliveryRecord[]> {
    await this.ensureIndexes();
    const q: Record<string, unknown> = {};
    if (f.ruleId) q.ruleIds = f.ruleId;
    if (f.channelId) q.channelId = f.channelId;
    if (f.status) q.status = f.status;
    if (f.spiderId) q.spiderId = f.spiderId;
    const created: Record<string, Date> = {};
    if (f.after) created.$gt = f.after;
    if (since) created.$lt = since;
    if (f.after || since) q.createdAt = created;
    if (f.projectIds) q.projectId = { $in: [...f.projectIds] };
    return this.withEvents(await this.deliveries().find(q).sort({ createdAt: -1 }).limit(limit).toArray());
  }

  /** Slim records get their events back: holders on the same page are used as they are, the others read by `_id`. */
  private async withEvents(ds: DeliveryRecord[]): Promise<DeliveryRecord[]> {
    const ids = holdersToRead(ds);
    const holders = new Map<string, DeliveryRecord>();
    for (let i = 0; i < ids.length; i += 16) {
      const found = await Promise.all(ids.slice(i, i + 16).map((id) => this.deliveries().findOne({ _id: id }, { projection: { events: 1 } })));
      for (const h of found) if (h) holders.set(h._id, h as DeliveryRecord);
    }
    return joinEvents(ds, holders);
  }

  /** MongoDB gets the indexes the history filters use; FerretDB accepts them and scans anyway. */
  private async ensureIndexes(): Promise<void> {
    if (this.indexed) return;
    this.indexed = true;
    const info = await this.conn.db!.admin().command({ buildInfo: 1 });
    if ('ferretdbVersion' in info) return; // a CREATE INDEX there is a schema change that can fail a concurrent query, and filters scan anyway
    await this.deliveries()
      .createIndexes([{ key: { createdAt: -1 } }, { key: { channelId: 1, createdAt: -1 } }, { key: { ruleIds: 1, createdAt: -1 } }])
      .catch(() => (this.indexed = false));
  }
}
