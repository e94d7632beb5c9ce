import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { RESULT_FIELD_MODEL, RESULT_LEDGER_MODEL } from '../results.schema';
import { unorderedInsert } from './result-store.repository';

export type LedgerRecord = {
  _id: string;
  tid: string;
  sid: string;
  col: string;
  attempt: number;
  firstSeq: number;
  lastSeq: number;
  stored: number;
  duplicates: number;
  rejected: number;
  refusals: { seq: number; reason: string }[];
  /** Documents the batch deleted (replaced by a newer item of their key): page marks then hold holes. */
  replaced?: number;
  /** Of those, documents of the batch's own task. */
  replacedOwn?: number;
  at: Date;
};
type FieldRecord = { _id: string; col: string; field: string; at: Date; ord: number };

/** Batch ledgers and field lists: small collections, written by unique inserts. */
@Injectable()
export class ResultMetaRepository {
  constructor(
    @InjectModel(RESULT_LEDGER_MODEL) private readonly ledgers: Model<LedgerRecord>,
    @InjectModel(RESULT_FIELD_MODEL) private readonly fields: Model<FieldRecord>,
  ) {}

  findLedger(id: string): Promise<LedgerRecord | null> {
    return this.ledgers.findById(id).lean<LedgerRecord>();
  }

  /** False when an earlier try of the same batch recorded it first. */
  async insertLedger(l: LedgerRecord): Promise<boolean> {
    try {
      await this.ledgers.collection.insertOne(l as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Inserts ledgers already written by an earlier try as no-ops. */
  async insertLedgers(ls: LedgerRecord[]): Promise<void> {
    const outcome = await unorderedInsert(this.ledgers.collection as never, ls, (code) => code === 11000);
    const failed = outcome.find((e) => e !== null);
    if (failed) throw new Error(`ledger insert failed: ${failed}`);
  }

  /** One batch ledger's counts and where the next batch of its attempt starts, by `_id`. */
  ledgerCounts(id: string): Promise<Pick<LedgerRecord, 'lastSeq' | 'stored' | 'duplicates' | 'rejected'> | null> {
    return this.ledgers.findById(id, { lastSeq: 1, stored: 1, duplicates: 1, rejected: 1 }).lean();
  }

  ledgersOfTasks(tids: string[]): Promise<Pick<LedgerRecord, 'tid' | 'stored' | 'duplicates' | 'rejected' | 'replacedOwn'>[]> {
    return this.ledgers.find({ tid: { $in: tids } }, { tid: 1, stored: 1, duplicates: 1, rejected: 1, replacedOwn: 1 }).lean();
  }

  ledgersOfSpiders(sids: string[]): Promise<Pick<LedgerRecord, 'sid' | 'stored' | 'replaced'>[]> {
    return this.ledgers.find({ sid: { $in: sids } }, { sid: 1, stored: 1, replaced: 1 }).lean();
  }

  async deleteLedgers(filter: { sid: string; tid?: string }): Promise<void> {
    await this.ledgers.deleteMany(filter);
  }

  async addFields(col: string, fields: string[]): Promise<void> {
    const at = new Date();
    const docs = fields.map((field, ord) => ({ _id: `${col}\n${field}`, col, field, at, ord }));
    await unorderedInsert(this.fields.collection as never, docs, (code) => code === 11000);
  }

  async listFields(col: string): Promise<string[]> {
    const rows = await this.fields.find({ col }).lean<FieldRecord[]>();
    rows.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || a.ord - b.ord);
    return rows.map((r) => r.field);
  }

  async deleteFields(col: string): Promise<void> {
    await this.fields.deleteMany({ col });
  }
}
