import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo, Types } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { ARCHIVE_PREFIX, archiveCollection, bucketOfCollection, bucketOfId, bucketOfLogTable, LOG_PREFIX, logCollection, logTableCollection } from '../archive-bucket';
import { TaskRecord } from '../task.types';
import { DbFlavor } from './db-flavor';

export type ArchiveFilter = { status?: string; spiderId?: string; nodeId?: string };
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
  /** Hours known to hold tasks or logs: listed from the database, plus every hour this replica wrote or saw open tasks in. */
  private readonly known = new Set<string>();
  private listedAt = 0;
  private listing: Promise<void> | null = null;

  constructor(
    @InjectConnection() private readonly conn: Connection,
    private readonly flavor: DbFlavor,
  ) {}

  /** Stores an ended task; false when it was already stored (a retried close). */
  async insert(task: TaskRecord): Promise<boolean> {
    const bucket = bucketOfId(String(task._id));
    const coll = await this.archive(bucket);
    try {
      await coll.insertOne(task as unknown as mongo.Document);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Stores many ended tasks, one insertMany per hour (bulk paths and seeding). */
  async insertMany(tasks: TaskRecord[]): Promise<void> {
    const byHour = new Map<string, TaskRecord[]>();
    for (const t of tasks) {
      const b = bucketOfId(String(t._id));
      byHour.set(b, [...(byHour.get(b) ?? []), t]);
    }
    for (const [bucket, rows] of byHour) {
      try {
        await (await this.archive(bucket)).insertMany(rows as unknown as mongo.Document[], { ordered: false });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // a retried batch: the stored ones stay
      }
    }
  }

  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const coll = this.db().collection(archiveCollection(bucketOfId(id)));
    return (await coll.findOne({ _id: new Types.ObjectId(id) })) as TaskRecord | null;
  }

  /** Every ended task of one hour matching `filter` (a scan of that small collection). */
  async findInBucket(bucket: string, filter: ArchiveFilter): Promise<TaskRecord[]> {
    const q: Record<string, string> = {};
    if (filter.status) q.status = filter.status;
    if (filter.spiderId) q.spiderId = filter.spiderId;
    if (filter.nodeId) q.nodeId = filter.nodeId;
    return (await this.db().collection(archiveCollection(bucket)).find(q).toArray()) as unknown as TaskRecord[];
  }

  async deleteInBucket(bucket: string, ids: Types.ObjectId[]): Promise<void> {
    if (ids.length) await this.db().collection(archiveCollection(bucket)).deleteMany({ _id: { $in: ids } });
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
          const b = bucketOfCollection(n.name, ARCHIVE_PREFIX) ?? bucketOfCollection(n.name, LOG_PREFIX) ?? bucketOfLogTable(n.name);
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
    for (const name of [...(await this.logTableNames(bucket, listed)), archiveCollection(bucket), logCollection(bucket)]) {
      try {
        await this.db().dropCollection(name);
      } catch (err) {
        // Already gone (another replica's earlier pass, or an hour without logs): nothing to drop.
        if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
      }
      this.indexed.delete(name);
    }
    this.known.delete(bucket);
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

  private async archive(bucket: string): Promise<mongo.Collection> {
    this.known.add(bucket);
    const name = archiveCollection(bucket);
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ status: 1 }, { spiderId: 1, status: 1 }, { nodeId: 1, status: 1 }]);
    return coll;
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
