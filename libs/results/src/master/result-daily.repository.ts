import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';

export type ResultDailyDoc = { _id: string; spiderId: string; day: string; replicaId: string; items: number; at: Date };

const COLLECTION = 'result_daily';
/** Every replica that ever counted (`_id` = replica id): a handful of documents. */
const REPLICAS = 'result_daily_replicas';

/**
 * Items stored per spider per UTC day, one document per spider, day and replica
 * (`<spiderId>:<day>:<replicaId>`), each written whole by its replica only: FerretDB's updates
 * read then write, so an `$inc` from two replicas could lose one. Reads are by `_id` only (the
 * one cheap read on FerretDB; MongoDB serves the same from its `_id` index), summed over the
 * replicas listed in a tiny collection of their ids.
 */
@Injectable()
export class ResultDailyRepository {
  constructor(@InjectConnection() private readonly conn: Connection) {}

  static id(spiderId: string, day: string, replicaId: string): string {
    return `${spiderId}:${day}:${replicaId}`;
  }

  find(id: string): Promise<ResultDailyDoc | null> {
    return this.coll().findOne({ _id: id });
  }

  async write(doc: ResultDailyDoc): Promise<void> {
    await this.coll().replaceOne({ _id: doc._id }, { ...doc, at: new Date() }, { upsert: true });
  }

  /** Lists this replica among the counters (a unique insert; already listed is fine). */
  async enlist(replicaId: string): Promise<void> {
    try {
      await this.db().collection<{ _id: string; at: Date }>(REPLICAS).insertOne({ _id: replicaId, at: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async replicas(): Promise<string[]> {
    return (await this.db().collection<{ _id: string }>(REPLICAS).find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  }

  private coll(): mongo.Collection<ResultDailyDoc> {
    return this.db().collection<ResultDailyDoc>(COLLECTION);
  }

  private db(): mongo.Db {
    const db = this.conn.db;
    if (!db) throw new Error('database connection is not open');
    return db;
  }
}
