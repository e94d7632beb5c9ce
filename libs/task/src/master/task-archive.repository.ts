import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo, Types } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { ARCHIVE_PREFIX, archiveCollection, bucketOfCollection, bucketOfId, LOG_PREFIX, logCollection } from '../archive-bucket';
import { TaskRecord } from '../task.types';

export type ArchiveFilter = { status?: string; spiderId?: string; nodeId?: string };
const BUCKET_LIST_TTL_MS = 1000;

/**
 * Ended tasks, one collection per creation hour (see archive-bucket.ts). Inserts are the
 * only writes; reads name one bucket. The MongoDB production path gets the indexes a
 * filtered bucket read uses; FerretDB accepts and ignores them for filters.
 */
@Injectable()
export class TaskArchiveRepository {
  private readonly log = new Logger(TaskArchiveRepository.name);
  private readonly indexed = new Set<string>();
  private listed: { at: number; buckets: string[] } | null = null;

  constructor(@InjectConnection() private readonly conn: Connection) {}

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

  /** Buckets that hold ended tasks or logs, newest first; listed at most once a second. */
  async buckets(): Promise<string[]> {
    if (this.listed && Date.now() - this.listed.at < BUCKET_LIST_TTL_MS) return this.listed.buckets;
    const names = await this.db().listCollections({}, { nameOnly: true }).toArray();
    const set = new Set<string>();
    for (const n of names) {
      const b = bucketOfCollection(n.name, ARCHIVE_PREFIX) ?? bucketOfCollection(n.name, LOG_PREFIX);
      if (b) set.add(b);
    }
    const buckets = [...set].sort().reverse();
    this.listed = { at: Date.now(), buckets };
    return buckets;
  }

  /** Drops an hour: its ended tasks and every log line stored in it. */
  async dropBucket(bucket: string): Promise<void> {
    for (const name of [archiveCollection(bucket), logCollection(bucket)]) {
      try {
        await this.db().dropCollection(name);
      } catch (err) {
        // Already gone (another replica's earlier pass, or an hour without logs): nothing to drop.
        if ((err as { codeName?: string }).codeName !== 'NamespaceNotFound') throw err;
      }
      this.indexed.delete(name);
    }
    this.listed = null;
  }

  /** The log collection of a task's hour, indexed for MongoDB on first use. */
  async logs(taskId: string): Promise<mongo.Collection> {
    const name = logCollection(bucketOfId(taskId));
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ taskId: 1, attempt: 1, from: 1 }]);
    return coll;
  }

  private async archive(bucket: string): Promise<mongo.Collection> {
    const name = archiveCollection(bucket);
    const coll = this.db().collection(name);
    await this.ensureIndexes(name, coll, [{ status: 1 }, { spiderId: 1, status: 1 }, { nodeId: 1, status: 1 }]);
    return coll;
  }

  private async ensureIndexes(name: string, coll: mongo.Collection, keys: Record<string, 1>[]): Promise<void> {
    if (this.indexed.has(name)) return;
    try {
      await coll.createIndexes(keys.map((key) => ({ key })));
      this.indexed.add(name);
      this.listed = null;
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
