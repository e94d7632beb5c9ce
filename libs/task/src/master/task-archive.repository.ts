import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo, Types } from 'mongoose';
import { DbFlavor, isDuplicateKeyError } from '@crawlnest/node';
import { ARCHIVE_PREFIX, archiveCollection, bucketOfCollection, bucketOfId, bucketOfLogTable, LOG_PREFIX, logCollection, logTableCollection } from '../archive-bucket';
import { HourMarksCache } from '../archive-marks-cache';
import { TaskRecord } from '../task.types';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import {
  ArchivePlace,
  bucketOfShelfCollection,
  DEFAULT_SHELF_SIZE,
  parseShelf,
  placeCollection,
  placeOfId,
  SHELF_MARK_PREFIX,
  shelfCollection,
  ShelfMark,
  TaskIdGenerator,
} from '../archive-shelf';

/** `spiderIds`: only tasks of these spiders (a caller's own). */
export type ArchiveFilter = { status?: string; spiderId?: string; nodeId?: string; spiderIds?: string[] };
function query(f: ArchiveFilter): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (f.status) q.status = f.status;
  if (f.spiderId) q.spiderId = f.spiderId;
  else if (f.spiderIds) q.spiderId = { $in: f.spiderIds };
  if (f.nodeId) q.nodeId = f.nodeId;
  return q;
}

/** `query(f)` applied in memory (also the history's filter of open tasks). */
export function matchesFilter(t: TaskRecord, f: { status?: string; spiderId?: string; nodeId?: string; spiderIds?: ReadonlySet<string> | readonly string[] }): boolean {
  const inSpiders = (id: string) => (f.spiderIds instanceof Set ? f.spiderIds.has(id) : (f.spiderIds as readonly string[]).includes(id));
  return (!f.status || t.status === f.status) && (!f.spiderId || t.spiderId === f.spiderId) && (!f.spiderIds || inSpiders(t.spiderId)) && (!f.nodeId || t.nodeId === f.nodeId);
}

/** How a list reads an hour: ids below `below` only; `openInHour`: an open task's id names the hour collection (it will be archived there). */
export type HourRead = { below?: string; openInHour?: boolean };

/** listCollections costs ~1 s with a month of hours on a busy FerretDB: refreshed in the background this often. */
const BUCKET_LIST_REFRESH_MS = 10_000;

/**
 * Ended tasks, one collection per creation hour (see archive-bucket.ts). Inserts are the
 * only writes; reads name one bucket. The MongoDB production path gets the indexes a
 * filtered bucket read uses; FerretDB accepts and ignores them for filters.
 */
@Injectable()
export class TaskArchiveRepository {
  private readonly log = new Logger(TaskArchiveRepository.name);
  private readonly indexed = new Set<string>();
  /** Shelves (`<hour>:<shelf>`) whose mark this replica wrote or found. */
  private readonly marked = new Set<string>();
  /** Marks of hour collections that hold nothing else (FerretDB; see archive-marks-cache.ts). */
  private readonly hourMarks = new HourMarksCache();
  /** Hours whose collection held tasks when read (ids of older versions): read filtered, never copied. */
  private readonly hoursWithRows = new Set<string>();
  private readonly ids: TaskIdGenerator;
  /** Hours known to hold tasks or logs: listed from the database, plus every hour this replica wrote or saw open tasks in. */
  private readonly known = new Set<string>();
  private listedAt = 0;
  private listing: Promise<void> | null = null;

  constructor(
    @InjectConnection() private readonly conn: Connection,
    private readonly flavor: DbFlavor,
    @Optional() @Inject(TASK_MASTER_OPTIONS) opts?: Pick<TaskMasterOptions, 'shelfSize'>,
  ) {
    this.ids = new TaskIdGenerator(opts?.shelfSize ?? DEFAULT_SHELF_SIZE);
  }

  /**
   * Ids for tasks about to be created (archive-shelf.ts). A crowded hour opens a shelf every
   * `shelfSize` ids: its mark, with its first id, is written here before the task exists, so a
   * list knows where the shelf's ids start. A failed mark write is logged, not fatal: the
   * archiver writes the mark (without `first`) before the shelf's first insert, and a list then
   * reads that shelf with the hour's bounds.
   */
  async newIds(count: number, nowMs = Date.now()): Promise<Types.ObjectId[]> {
    const ids: Types.ObjectId[] = [];
    const opened: (ShelfMark & { bucket: string })[] = [];
    for (let i = 0; i < count; i++) {
      const { id, opens } = this.ids.next(nowMs);
      ids.push(new Types.ObjectId(id));
      if (opens) opened.push(opens);
    }
    for (const o of opened) {
      try {
        await this.writeMark(o.bucket, o);
      } catch (err) {
        this.log.warn({ msg: 'archive shelf mark write failed; the archiver writes it', bucket: o.bucket, shelf: o.shelf, err: String(err) });
      }
    }
    return ids;
  }

  /** Stores an ended task; false when it was already stored (a retried close). */
  async insert(task: TaskRecord): Promise<boolean> {
    const coll = await this.placeFor(placeOfId(String(task._id)));
    try {
      await coll.insertOne(task as unknown as mongo.Document);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Stores many ended tasks, one insertMany per hour or shelf (bulk paths and seeding). */
  async insertMany(tasks: TaskRecord[]): Promise<void> {
    const byPlace = new Map<string, { place: ArchivePlace; rows: TaskRecord[] }>();
    for (const t of tasks) {
      const place = placeOfId(String(t._id));
      const key = placeCollection(place);
      const entry = byPlace.get(key) ?? { place, rows: [] };
      entry.rows.push(t);
      byPlace.set(key, entry);
    }
    for (const { place, rows } of byPlace.values()) {
      try {
        await (await this.placeFor(place)).insertMany(rows as unknown as mongo.Document[], { ordered: false });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // a retried batch: the stored ones stay
      }
    }
  }

  /** One `_id` read where the id says the task lives; an id that names a shelf is also looked up in its hour (ended before shelves existed). */
  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const _id = new Types.ObjectId(id);
    const place = placeOfId(id);
    const found = (await this.db().collection(placeCollection(place)).findOne({ _id })) as TaskRecord | null;
    if (found || !place.shelf) return found;
    return (await this.db().collection(archiveCollection(place.bucket)).findOne({ _id })) as TaskRecord | null;
  }

  /**
   * One hour's collection: its tasks matching `filter` (only ids of older versions: the first
   * `shelfSize` tasks of each creating process, tasks made before shelves) and the marks of its
   * shelves. MongoDB: a scan of that small collection, filtered. FerretDB (a scan whatever the
   * filter): an hour never seen holding tasks is read whole, and if it holds only marks they are
   * kept (HourMarksCache) and serve later reads of ids well below the time of that read, which
   * then read nothing.
   */
  async readHour(bucket: string, filter: ArchiveFilter, how: HourRead = {}): Promise<{ rows: TaskRecord[]; shelves: ShelfMark[] }> {
    if (!(await this.flavor.isFerretDb()) || this.hoursWithRows.has(bucket)) return this.readHourDocs(bucket, { $or: [{ shelfMark: true }, query(filter)] });
    const cached = how.below ? this.hourMarks.get(bucket, how.below) : null;
    if (cached) return { rows: [], shelves: cached };
    const at = Date.now();
    const { rows, shelves } = await this.readHourDocs(bucket, {});
    if (rows.length > 0) this.hoursWithRows.add(bucket);
    else if (how.below && !how.openInHour) this.hourMarks.put(bucket, shelves, at);
    return { rows: rows.filter((t) => matchesFilter(t, filter)), shelves };
  }

  private async readHourDocs(bucket: string, q: mongo.Filter<mongo.Document>): Promise<{ rows: TaskRecord[]; shelves: ShelfMark[] }> {
    const docs = await this.db().collection(archiveCollection(bucket)).find(q).toArray();
    const rows: TaskRecord[] = [];
    const shelves: ShelfMark[] = [];
    for (const d of docs) {
      if (d.shelfMark === true) {
        const p = parseShelf(String(d.shelf));
        if (p) shelves.push({ shelf: String(d.shelf), stamp: p.stamp, n: p.n, first: typeof d.first === 'string' ? d.first : null });
      } else rows.push(d as unknown as TaskRecord);
    }
    return { rows, shelves };
  }

  /**
   * The newest `limit` tasks of a shelf matching `filter` with ids below `before`. On MongoDB an
   * index read (`{status|spiderId|nodeId, _id: -1}`); on FerretDB a scan of at most
   * `shelfSize` documents, sorted in memory.
   */
  async readShelf(bucket: string, shelf: string, filter: ArchiveFilter, before: string | null, limit: number): Promise<TaskRecord[]> {
    const q: Record<string, unknown> = query(filter);
    if (before) q._id = { $lt: new Types.ObjectId(before) };
    return (await this.db().collection(shelfCollection(bucket, shelf)).find(q).sort({ _id: -1 }).limit(limit).toArray()) as unknown as TaskRecord[];
  }

  /** The shelf marks of an hour (retention: a scan of the hour collection). */
  async readMarks(bucket: string): Promise<ShelfMark[]> {
    return (await this.readHourDocs(bucket, { shelfMark: true })).shelves;
  }

  /** Every ended task of one hour matching `filter`, shelves included (retention: a scan of the hour). */
  async findInBucket(bucket: string, filter: ArchiveFilter): Promise<TaskRecord[]> {
    const { rows, shelves } = await this.readHour(bucket, filter);
    const more = await Promise.all(shelves.map((s) => this.db().collection(shelfCollection(bucket, s.shelf)).find(query(filter)).toArray()));
    return [...rows, ...(more.flat() as unknown as TaskRecord[])];
  }

  async deleteInBucket(bucket: string, ids: Types.ObjectId[]): Promise<void> {
    const byColl = new Map<string, Types.ObjectId[]>();
    for (const id of ids) {
      const place = placeOfId(String(id));
      const name = place.bucket === bucket ? placeCollection(place) : archiveCollection(bucket);
      const list = byColl.get(name);
      if (list) list.push(id);
      else byColl.set(name, [id]);
    }
    for (const [name, list] of byColl) await this.db().collection(name).deleteMany({ _id: { $in: list } });
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
        for (const n of names) {
          const b = bucketOfCollection(n.name, ARCHIVE_PREFIX) ?? bucketOfCollection(n.name, LOG_PREFIX) ?? bucketOfLogTable(n.name) ?? bucketOfShelfCollection(n.name);
          if (b) listed.add(b);
        }
        // An hour dropped by retention (on any replica) leaves the set; one written meanwhile by this replica stays.
        for (const h of [...this.known]) if (!listed.has(h) && !this.indexed.has(archiveCollection(h)) && !this.indexed.has(logCollection(h))) this.known.delete(h);
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
    // Shelves named by the hour's marks or by the listing (a shelf is marked before its first insert); the hour collection, holding the marks, goes last.
    const shelves = await this.readMarks(bucket);
    const shelfNames = new Set([...shelves.map((s) => shelfCollection(bucket, s.shelf)), ...(listed ?? []).filter((n) => bucketOfShelfCollection(n) === bucket)]);
    for (const name of [...(await this.logTableNames(bucket, listed)), ...shelfNames, archiveCollection(bucket), logCollection(bucket)]) {
      try {
        await this.db().dropCollection(name);
      } catch (err) {
        // Already gone (another replica's earlier pass, or an hour without logs): nothing to drop.
        if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
      }
      this.indexed.delete(name);
    }
    this.known.delete(bucket);
    this.hourMarks.forget(bucket);
    this.hoursWithRows.delete(bucket);
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

  /** The collection of an archive place, indexed for MongoDB on first use; a shelf's mark is written before its first insert. */
  private async placeFor(place: ArchivePlace): Promise<mongo.Collection> {
    this.known.add(place.bucket);
    if (place.shelf && !this.marked.has(`${place.bucket}:${place.shelf}`)) {
      const p = parseShelf(place.shelf);
      if (p) await this.writeMark(place.bucket, { shelf: place.shelf, stamp: p.stamp, n: p.n, first: null });
    }
    if (!place.shelf) {
      this.hourMarks.forget(place.bucket);
      this.hoursWithRows.add(place.bucket);
    }
    const name = placeCollection(place);
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ status: 1, _id: -1 }, { spiderId: 1, _id: -1 }, { nodeId: 1, _id: -1 }]);
    return coll;
  }

  /** A shelf's mark in its hour collection: inserted once (the first writer's stays), never updated. */
  private async writeMark(bucket: string, m: ShelfMark): Promise<void> {
    this.known.add(bucket);
    try {
      await this.db()
        .collection(archiveCollection(bucket))
        .insertOne({ _id: `${SHELF_MARK_PREFIX}${m.shelf}`, shelfMark: true, shelf: m.shelf, first: m.first } as unknown as mongo.Document);
      // An archiver's mark (its creator's write failed) may name ids older than a kept copy of the hour's marks covers.
      if (m.first === null) this.hourMarks.forget(bucket);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    this.marked.add(`${bucket}:${m.shelf}`);
  }

  private async ensureIndexes(name: string, coll: mongo.Collection, keys: Record<string, 1 | -1>[]): Promise<void> {
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
