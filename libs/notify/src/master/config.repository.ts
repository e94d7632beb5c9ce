import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, Types } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import type { ChannelRecord, RuleRecord } from '../notify.types';
import { collection, COLLECTIONS } from './notify-collections';

/**
 * Channels and rules: a handful of small documents per project, read whole (a scan of a few
 * dozen rows on FerretDB) and cached by the notifier; written only by the REST API.
 */
@Injectable()
export class NotifyConfigRepository {
  constructor(@InjectConnection() private readonly conn: Connection) {}

  private channels() {
    return collection<ChannelRecord>(this.conn, COLLECTIONS.channels);
  }
  private rules() {
    return collection<RuleRecord>(this.conn, COLLECTIONS.rules);
  }

  private meta() {
    return collection<{ _id: string; v: string }>(this.conn, COLLECTIONS.meta);
  }

  /** The configuration's version: read by `_id` (cheap everywhere), changed by every write below. */
  async version(): Promise<string | null> {
    return (await this.meta().findOne({ _id: 'config' }))?.v ?? null;
  }
  async bumpVersion(): Promise<void> {
    const bump = () => this.meta().replaceOne({ _id: 'config' }, { v: new Types.ObjectId().toHexString() }, { upsert: true });
    try {
      await bump();
    } catch (err) {
      // Two first writes at once both insert the missing document (an upsert is not atomic on
      // FerretDB, nor between two upserts on MongoDB): the loser replaces the one now there.
      if (!isDuplicateKeyError(err)) throw err;
      await bump();
    }
  }

  async insertChannel(c: Omit<ChannelRecord, '_id'>): Promise<ChannelRecord> {
    const doc = { _id: new Types.ObjectId(), ...c };
    await this.channels().insertOne(doc);
    return doc;
  }
  async channel(id: string): Promise<ChannelRecord | null> {
    return Types.ObjectId.isValid(id) ? this.channels().findOne({ _id: new Types.ObjectId(id) }) : null;
  }
  async allChannels(): Promise<ChannelRecord[]> {
    return this.channels().find({}).toArray();
  }
  async updateChannel(id: string, set: Partial<ChannelRecord>): Promise<void> {
    await this.channels().updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
  }
  async deleteChannel(id: string): Promise<boolean> {
    return (await this.channels().deleteOne({ _id: new Types.ObjectId(id) })).deletedCount > 0;
  }

  async insertRule(r: Omit<RuleRecord, '_id'>): Promise<RuleRecord> {
    const doc = { _id: new Types.ObjectId(), ...r };
    await this.rules().insertOne(doc);
    return doc;
  }
  async rule(id: string): Promise<RuleRecord | null> {
    return Types.ObjectId.isValid(id) ? this.rules().findOne({ _id: new Types.ObjectId(id) }) : null;
  }
  async allRules(): Promise<RuleRecord[]> {
    return this.rules().find({}).toArray();
  }
  async updateRule(id: string, set: Partial<RuleRecord>): Promise<void> {
    await this.rules().updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
  }
  async deleteRule(id: string): Promise<boolean> {
    return (await this.rules().deleteOne({ _id: new Types.ObjectId(id) })).deletedCount > 0;
  }
}
