import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo, Types } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import {
  ARCHIVE_PREFIX,
  archiveCollection,
  archiveDirCollection,
  archiveShelfCollection,
  archiveDirCollection as dirName,
  bucketEndMs,
  bucketOfArchiveShelf,
  bucketOfCollection,
  bucketOfId,
  bucketOfLogTable,
  LOG_PREFIX,
  logCollection,
  logTableCollection,
} from '../archive-bucket';
import { countMatches, newestInSeals, packSeal, SHELF_DROP_DELAY_MS, SHELF_TASKS, SHELF_WRITE_GRACE_MS, ShelfFilter, shelfIsStale } from '../archive-shelf';
import { TaskRecord } from '../task.types';
import { Located } from '../archive-shelf';
import { ArchiveShelves, ShelfInfo } from './archive-shelves';
import { DbFlavor } from './db-flavor';

export type ArchiveFilter = ShelfFilter;
/** Ended tasks of one hour, newest first: every match with `covered <= id < before` (null: down to the hour's start). */
export type ArchiveSlice = { rows: TaskRecord[]; covered: string | null };
/** listCollections costs ~1 s with a month of hours on a busy FerretDB: refreshed in the background this often. */
const BUCKET_LIST_REFRESH_MS = 10_000;
/** Up to this many tasks of one shelf are read by `_id` lookups (~3 ms each); more by one read of the shelf (~30 ms). */
const PROBES_PER_SHELF = 8;
/** Ended tasks kept in memory (~1 KB each). */
const RECENT_TASKS = 20_000;

/**
 * Ended tasks, by creation hour (see archive-bucket.ts), each hour in size-bounded shelves
 * (archive-shelf.ts, archive-shelves.ts). Inserts are the only writes.
 *
 * FerretDB limit worked around: only `_id` equality is cheap; any filter, sort or range reads
 * the whole collection (~0.3 ms per task). An hour that ended 30k tasks would cost seconds per
 * page, so a page reads the hour's open shelves (at most ~100 tasks each) and, newest `hi`
 * first, the sealed shelves whose seal may match, until the rows found are provably the
 * newest; a task by id is looked up in the shelves whose id range holds it.
 * On MongoDB the directory lookups use the `_id` index and each shelf read is a bounded scan
 * of at most ~100 small documents (no other index is needed; hours stored before shelves keep
 * their `{status}`, `{spiderId, status}`, `{nodeId, status}` indexes).
 */
function matchesFilter(t: TaskRecord, f: ArchiveFilter): boolean {
  return (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId) && (!f.nodeId || t.nodeId === f.nodeId) && (!f.spiderIds || f.spiderIds.has(t.spiderId));
}

@Injectable()
export class TaskArchiveRepository implements OnModuleDestroy {
  private readonly log = new Logger(TaskArchiveRepository.name);
  private readonly indexed = new Set<string>();
  /** Hours known to hold tasks or logs: listed from the database, plus every hour this replica wrote or saw open tasks in. */
  private readonly known = new Set<string>();
  /** Hours written by this replica (kept when a listing misses them: it may predate the write). */
  private readonly written = new Set<string>();
  /** Hours whose `task_archive_<hour>` collection exists: tasks stored before shelves, read as before. */
  private readonly legacy = new Set<string>();
  private listedAt = 0;
  /** Hours a compaction pass found nothing to do in, with their shelf count then. */
  private readonly settled = new Map<string, number>();
  private listing: Promise<void> | null = null;
  private readonly shelves: ArchiveShelves;
  /**
   * Ended tasks this replica stored or read lately, by id. An ended task never changes, so a
   * page read again (the dashboard polls the first page) reads only what is new; retention's
   * removals evict (dropBucket, deleteInBucket, an hour gone from a listing).
   */
  private readonly recent = new Map<string, TaskRecord>();

  constructor(
    @InjectConnection() private readonly conn: Connection,
    private readonly flavor: DbFlavor,
  ) {
    this.shelves = new ArchiveShelves(() => this.db(), this.log);
  }

  async onModuleDestroy(): Promise<void> {
    await this.shelves.sealAll();
  }

  /**
   * Stores an ended task; false when it was already stored (a retried close). `firstTry`: the
   * closer just claimed the close, so no copy can exist yet and the lookup is skipped. A copy
   * stored twice anyway (a replay racing a slow first try) is listed once: reads dedupe by id.
   */
  async insert(task: TaskRecord, firstTry = false): Promise<boolean> {
    const id = String(task._id);
    if (!firstTry && (await this.findById(id))) return false;
    const bucket = bucketOfId(id);
    this.noteWritten(bucket);
    const w = await this.shelves.shelfFor(bucket);
    w.count++;
    w.tried.push(task);
    const p = this.shelves.shelf(bucket, w.n).insertOne(task as unknown as mongo.Document);
    w.pending.add(p);
    try {
      await p;
      w.stored.push(task);
      this.remember(task);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    } finally {
      w.pending.delete(p);
    }
  }

  /** Stores many ended tasks (bulk paths and seeding): full shelves, sealed at once. */
  async insertMany(tasks: TaskRecord[]): Promise<void> {
    const byHour = new Map<string, TaskRecord[]>();
    for (const t of tasks) {
      const b = bucketOfId(String(t._id));
      byHour.set(b, [...(byHour.get(b) ?? []), t]);
    }
    for (const [bucket, rows] of byHour) {
      this.noteWritten(bucket);
      for (let i = 0; i < rows.length; i += SHELF_TASKS) {
        const part = rows.slice(i, i + SHELF_TASKS);
        const w = await this.shelves.openBulk(bucket);
        w.tried.push(...part);
        try {
          await this.shelves.shelf(bucket, w.n).insertMany(part as unknown as mongo.Document[], { ordered: false });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err; // a retried batch: the stored ones stay
        }
        await this.shelves.seal(w);
      }
    }
  }

  /** One hour's lookups: the shelves whose id range may hold it (an open shelf may hold anything), and the pre-shelf collection. */
  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const known = this.recent.get(id);
    if (known) return known;
    const bucket = bucketOfId(id);
    const _id = new Types.ObjectId(id);
    // A sealed shelf holds it only if its index lists it; an open shelf may hold anything.
    const holds = (s: ShelfInfo) => !s.seal || (s.seal.lo <= id && id <= s.seal.hi && s.seal.index.ids.includes(id));
    const probe = async (ns: number[], legacy: boolean): Promise<TaskRecord | null> => {
      const found = await Promise.all([
        ...ns.map((n) => this.shelves.shelf(bucket, n).findOne({ _id })),
        legacy ? this.db().collection(archiveCollection(bucket)).findOne({ _id }) : null,
      ]);
      return (found.find((f) => f) as TaskRecord | undefined) ?? null;
    };
    const tried = this.shelves.cached(bucket).filter(holds).map((s) => s.n);
    // The pre-shelf collection too, even when the last listing did not show it (a lookup in a missing collection costs ~1 ms).
    const hit = await probe(tried, true);
    if (hit) return hit;
    // A shelf this replica had not seen yet (another replica's, or a cold cache).
    const more = (await this.shelves.refresh(bucket)).filter((s) => holds(s) && !tried.includes(s.n)).map((s) => s.n);
    return more.length ? probe(more, false) : null;
  }

  /**
   * The newest ended tasks of one hour matching `filter` with ids below `before`: at least
   * `limit` of them unless `covered` is null (then every one down to the hour's start).
   */
  async newestInBucket(bucket: string, filter: ArchiveFilter, before: string | undefined, limit: number): Promise<ArchiveSlice> {
    const q = this.query(filter);
    const all = await this.shelves.refresh(bucket);
    const rows = new Map<string, TaskRecord>();
    const take = (list: TaskRecord[]) => {
      for (const t of list) {
        const id = String(t._id);
        // Stored queries filter by field equality; the caller's spider set is applied here.
        if ((before === undefined || id < before) && matchesFilter(t, filter)) rows.set(id, t);
      }
    };
    // Unsealed shelves (at most ~100 tasks each, one per writer) and pre-shelf tasks are read with the filter.
    const sealed = all.filter((s) => s.seal).map((s) => ({ n: s.n, index: s.seal!.index }));
    const [unsealed, chosen] = await Promise.all([
      Promise.all([...all.filter((s) => !s.seal).map((s) => this.readOpenShelf(bucket, s, filter)), this.legacy.has(bucket) || all.length === 0 ? this.readLegacy(bucket, q) : Promise.resolve([])]),
      // From the seals: the newest matches, before reading any of them.
      // One more than the page: more matches than `limit` in the seals alone means the hour goes on below.
      Promise.resolve(newestInSeals(sealed, filter, before, limit + 1)),
    ]);
    for (const list of unsealed) take(list);
    // The page's rows: the `limit` newest of both; only those are read from sealed shelves.
    const ids = [...new Set([...rows.keys(), ...chosen.map((c) => c.id)])].sort().reverse();
    const covered = ids.length > limit ? ids[limit - 1] : null;
    const wanted = chosen.filter((c) => (!covered || c.id >= covered) && !rows.has(c.id));
    for (const list of await this.readLocated(bucket, wanted, filter, q)) take(list);
    const out = [...rows.entries()].filter(([id]) => !covered || id >= covered).sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    return { rows: out.map(([, t]) => t), covered };
  }

  /** Tasks of sealed shelves by id: a few per shelf by `_id` lookups (the cheap read), many by one read of the shelf. */
  private async readLocated(bucket: string, wanted: Located[], filter: ArchiveFilter, q: Record<string, string>): Promise<TaskRecord[][]> {
    const byShelf = new Map<number, string[]>();
    const known: TaskRecord[] = [];
    for (const w of wanted) {
      const t = this.recent.get(w.id);
      if (t) known.push(t);
      else byShelf.set(w.shelf, [...(byShelf.get(w.shelf) ?? []), w.id]);
    }
    const reads: Promise<TaskRecord[]>[] = [Promise.resolve(known.filter((t) => matchesFilter(t, filter)))];
    for (const [n, ids] of byShelf) {
      const coll = this.shelves.shelf(bucket, n);
      if (ids.length > PROBES_PER_SHELF) {
        const want = new Set(ids);
        reads.push(coll.find(q).toArray().then((docs) => (docs as unknown as TaskRecord[]).filter((t) => want.has(String(t._id)))));
      } else {
        for (const id of ids) reads.push(coll.findOne({ _id: new Types.ObjectId(id) }).then((t) => (t ? [t as unknown as TaskRecord] : [])));
      }
    }
    const read = await Promise.all(reads);
    for (const list of read.slice(1)) for (const t of list) this.remember(t);
    return read;
  }

  /**
   * How many ended tasks of the hour match `filter`, from what this replica last read of its
   * directory (the seals, and ~half a shelf per unsealed one); null when it never read it.
   * Tells the history walk how many hours a page needs without reading any.
   */
  estimate(bucket: string, filter: ArchiveFilter): number | null {
    const shelves = this.shelves.cached(bucket);
    if (!shelves.length || this.legacy.has(bucket)) return null;
    let n = 0;
    for (const s of shelves) n += s.seal ? countMatches(s.seal.index, filter) : SHELF_TASKS / 2;
    return n;
  }

  /** Every ended task of one hour (retention: reads every shelf). */
  async allInBucket(bucket: string): Promise<TaskRecord[]> {
    return (await this.newestInBucket(bucket, {}, undefined, Infinity)).rows;
  }

  async deleteInBucket(bucket: string, ids: Types.ObjectId[]): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) this.recent.delete(String(id));
    // The pre-shelf collection always: the last listing may predate it, and a delete in a missing collection costs ~1 ms.
    const names = [...(await this.shelves.refresh(bucket)).map((s) => archiveShelfCollection(bucket, s.n)), archiveCollection(bucket)];
    // Seals stay as they are: a seal naming a removed task only costs a read that finds nothing.
    for (const name of names) await this.db().collection(name).deleteMany({ _id: { $in: ids } });
  }

  /**
   * Hours that hold ended tasks or logs, newest first. The first call lists the collections;
   * later calls answer from memory and refresh the list in the background. An hour another
   * replica starts writing is seen at the latest by that refresh, and sooner through
   * `noteHours` (a task that ends is archived in its creation hour, which the open-task
   * snapshot already showed while the task was open).
   */
  async buckets(): Promise<string[]> {
    if (this.listedAt === 0) await this.relist();
    else if (Date.now() - this.listedAt > BUCKET_LIST_REFRESH_MS) {
      this.relist().catch((err: unknown) => this.log.warn({ msg: 'archive hour listing failed', err: String(err) }));
    }
    return [...this.known].sort().reverse();
  }

  /** Hours the caller knows hold (or will hold) tasks, e.g. those of open tasks. */
  noteHours(hours: Iterable<string>): void {
    for (const h of hours) this.known.add(h);
  }

  private relist(): Promise<void> {
    this.listing ??= (async () => {
      try {
        const names = await this.db().listCollections({}, { nameOnly: true }).toArray();
        const listed = new Set<string>();
        const legacy = new Set<string>();
        for (const n of names) {
          const old = bucketOfCollection(n.name, ARCHIVE_PREFIX);
          if (old) legacy.add(old);
          const b = old ?? bucketOfArchiveShelf(n.name) ?? bucketOfCollection(n.name, LOG_PREFIX) ?? bucketOfLogTable(n.name);
          if (b) listed.add(b);
        }
        this.legacy.clear();
        for (const h of legacy) this.legacy.add(h);
        // An hour dropped by retention (on any replica) leaves the set; one written meanwhile by this replica stays.
        for (const h of [...this.known]) {
          if (listed.has(h) || this.written.has(h) || this.indexed.has(logCollection(h))) continue;
          this.known.delete(h);
          this.forgetHour(h);
        }
        for (const h of listed) this.known.add(h);
        this.listedAt = Date.now();
      } finally {
        this.listing = null;
      }
    })();
    return this.listing;
  }

  /**
   * Drops an hour: its ended tasks and every log line stored in it (its log tables, then the
   * hour's log directory). `listed`: the collection names from a listing the caller just made
   * (a purge of many hours lists once, not once per hour); a log table created after it is
   * found by the next pass, which lists the hour again.
   */
  async dropBucket(bucket: string, listed?: string[]): Promise<void> {
    const all = listed ?? (await this.collectionNames());
    const shelves = new Set([...all.filter((n) => bucketOfArchiveShelf(n) === bucket), ...this.shelves.cachedAll(bucket).map((s) => archiveShelfCollection(bucket, s.n))]);
    // The directory last: a pass cut short leaves shelves a later pass still finds by their names.
    shelves.delete(archiveDirCollection(bucket));
    for (const name of [...(await this.logTableNames(bucket, all)), ...shelves, archiveDirCollection(bucket), archiveCollection(bucket), logCollection(bucket)]) {
      try {
        await this.db().dropCollection(name);
      } catch (err) {
        // Already gone (another replica's earlier pass, or an hour without logs): nothing to drop.
        if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
      }
      this.indexed.delete(name);
    }
    this.known.delete(bucket);
    this.written.delete(bucket);
    this.legacy.delete(bucket);
    this.forgetHour(bucket);
  }

  /** The log collection of a task's hour, indexed for MongoDB on first use. */
  async logs(taskId: string): Promise<mongo.Collection> {
    const name = logCollection(bucketOfId(taskId));
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ taskId: 1, attempt: 1, from: 1 }]);
    return coll;
  }

  /** A size-bounded log table of an hour (see TaskLogRepository), indexed for MongoDB on first use. */
  async logTable(bucket: string, suffix: string): Promise<mongo.Collection> {
    this.known.add(bucket);
    const name = logTableCollection(bucket, suffix);
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ taskId: 1, attempt: 1, from: 1 }]);
    return coll;
  }

  /** Names of the log tables of an hour (a listing of collection names: metadata, no documents read), from `listed` when given. */
  async logTableNames(bucket: string, listed?: string[]): Promise<string[]> {
    return (listed ?? (await this.collectionNames())).filter((n) => bucketOfLogTable(n) === bucket);
  }

  /** Every collection name of the database (one listing: ~40 ms idle at a month of hours, far more on a busy FerretDB). */
  async collectionNames(): Promise<string[]> {
    return (await this.db().listCollections({}, { nameOnly: true }).toArray()).map((n) => n.name);
  }

  private remember(t: TaskRecord): void {
    const id = String(t._id);
    this.recent.delete(id);
    this.recent.set(id, t);
    if (this.recent.size > RECENT_TASKS) this.recent.delete(this.recent.keys().next().value as string);
  }

  private forgetHour(bucket: string): void {
    for (const id of [...this.recent.keys()]) if (bucketOfId(id) === bucket) this.recent.delete(id);
    this.shelves.forget(bucket);
    this.settled.delete(bucket);
  }

  private noteWritten(bucket: string): void {
    this.known.add(bucket);
    this.written.add(bucket);
  }

  private query(filter: ArchiveFilter): Record<string, string> {
    const q: Record<string, string> = {};
    if (filter.status) q.status = filter.status;
    if (filter.spiderId) q.spiderId = filter.spiderId;
    if (filter.nodeId) q.nodeId = filter.nodeId;
    return q;
  }

  /** A shelf without a seal: read whole (it is bounded); one left open past SHELF_STALE_MS is sealed from what was read. */
  private async readOpenShelf(bucket: string, s: ShelfInfo, filter: ArchiveFilter): Promise<TaskRecord[]> {
    const own = this.shelves.storedIn(bucket, s.n);
    if (own) return own.filter((t) => matchesFilter(t, filter));
    const coll = this.shelves.shelf(bucket, s.n);
    if (!shelfIsStale(bucketEndMs(bucket), s.at, Date.now()) || this.shelves.isWriting(bucket, s.n)) return (await coll.find(this.query(filter)).toArray()) as unknown as TaskRecord[];
    return (await this.sealStale(bucket, s)).filter((t) => matchesFilter(t, filter));
  }

  /** Seals an abandoned shelf from its whole content (its writer stopped writing into it long ago); returns that content. */
  private async sealStale(bucket: string, s: ShelfInfo): Promise<TaskRecord[]> {
    const all = (await this.shelves.shelf(bucket, s.n).find({}).toArray()) as unknown as TaskRecord[];
    const seal = packSeal(all);
    if (seal) {
      await this.shelves.insertSeal(bucket, s.n, seal).catch((err: unknown) => this.log.warn({ msg: 'sealing a stale archive shelf failed', bucket, shelf: s.n, err: String(err) }));
    }
    return all;
  }

  /**
   * One compaction pass (archive-compact.cron.ts): seals this replica's shelves of ended hours,
   * merges the small shelves of ended hours (ArchiveShelves.compact), and drops the shelves a
   * compaction replaced. Hours are found from one listing of collection names; an hour whose
   * shelf count did not change since it was last found settled is skipped, and at most
   * `maxHours` hours are worked on per pass (a month of hours after an upgrade is paced).
   */
  async compactEndedHours(maxHours = 6, dropDelayMs = SHELF_DROP_DELAY_MS): Promise<{ hours: number; replaced: number; dropped: number }> {
    this.shelves.sealIdle();
    const names = await this.collectionNames();
    const listed = new Set(names);
    const perHour = new Map<string, number>();
    for (const n of names) {
      const b = bucketOfArchiveShelf(n);
      if (b && n !== dirName(b)) perHour.set(b, (perHour.get(b) ?? 0) + 1);
    }
    const out = { hours: 0, replaced: 0, dropped: 0 };
    for (const [bucket, count] of [...perHour].sort((x, y) => (x[0] < y[0] ? 1 : -1))) {
      // Its writers' window must be over: shelves of a live hour fill up and are sealed full.
      if (count < 2 || Date.now() < bucketEndMs(bucket) + SHELF_WRITE_GRACE_MS || this.settled.get(bucket) === count) continue;
      if (out.hours >= maxHours) break;
      out.hours++;
      const replaced = await this.shelves.compact(bucket, async (s) => void (await this.sealStale(bucket, s)));
      const dropped = await this.shelves.dropReplaced(bucket, listed, dropDelayMs);
      out.replaced += replaced;
      out.dropped += dropped;
      // Settled: nothing merged now, nothing replaced left to drop, no shelf left open.
      const left = this.shelves.cachedAll(bucket).filter((s) => listed.has(archiveShelfCollection(bucket, s.n)));
      if (replaced === 0 && dropped === 0 && left.every((s) => s.replacedAt === null && s.seal)) this.settled.set(bucket, count);
    }
    return out;
  }

  /** Tasks stored in the hour collection itself, by a version before shelves: read whole, as then. */
  private async readLegacy(bucket: string, q: Record<string, string>): Promise<TaskRecord[]> {
    return (await this.db().collection(archiveCollection(bucket)).find(q).toArray()) as unknown as TaskRecord[];
  }

  private async ensureIndexes(name: string, coll: mongo.Collection, keys: Record<string, 1>[]): Promise<void> {
    if (this.indexed.has(name)) return;
    try {
      // FerretDB scans anyway, and every CREATE INDEX is a schema change that can fail a query running at that instant.
      if (!(await this.flavor.isFerretDb())) await coll.createIndexes(keys.map((key) => ({ key })));
      this.indexed.add(name);
    } catch (err) {
      // An index is an optimisation for MongoDB: a failure is logged and retried on next use, never fatal to a write.
      this.log.warn({ msg: 'archive index creation failed', collection: name, err: String(err) });
    }
  }

  private db(): mongo.Db {
    const db = this.conn.db;
    if (!db) throw new Error('database connection is not open');
    return db;
  }
}
