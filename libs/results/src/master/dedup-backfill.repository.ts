import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { DEDUP_BACKFILL_LEASE_MODEL, DEDUP_BACKFILL_MODEL } from '../results.schema';

export type BackfillStatus = 'running' | 'done' | 'failed' | 'superseded';

export type BackfillRecord = {
  _id: string;
  run: string;
  col: string;
  keys: string[];
  status: BackfillStatus;
  scanned: number;
  total: number;
  duplicates: number;
  until: Date | null;
  after: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/**
 * Backfill jobs (one small document per spider) and their leases. A job document is written by
 * its lease holder only, so FerretDB's read-then-write updates are safe; each write names the
 * run it belongs to, so a run superseded by a newer PATCH stops writing.
 */
@Injectable()
export class DedupBackfillRepository {
  constructor(
    @InjectModel(DEDUP_BACKFILL_MODEL) private readonly jobs: Model<BackfillRecord>,
    @InjectModel(DEDUP_BACKFILL_LEASE_MODEL) private readonly leases: Model<{ _id: string; sid: string; replica: string; at: Date }>,
  ) {}

  /** A new run replaces whatever ran before for the spider. */
  async replace(job: BackfillRecord): Promise<void> {
    await this.jobs.replaceOne({ _id: job._id }, job, { upsert: true });
  }

  get(spiderId: string): Promise<BackfillRecord | null> {
    return this.jobs.findById(spiderId).lean<BackfillRecord>().exec();
  }

  /** A few documents (one per spider that ever had a backfill): the scan is small. */
  running(): Promise<BackfillRecord[]> {
    return this.jobs.find({ status: 'running' }).lean<BackfillRecord[]>().exec();
  }

  /** Read by `_id`, one at a time: the cheap read on FerretDB. */
  async ofSpiders(ids: string[]): Promise<BackfillRecord[]> {
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((j): j is BackfillRecord => j !== null);
  }

  /** False when the run was replaced meanwhile (the caller stops). */
  async save(job: BackfillRecord): Promise<boolean> {
    const r = await this.jobs.replaceOne({ _id: job._id, run: job.run }, job);
    return r.matchedCount === 1;
  }

  /** The unique insert that makes this replica the run's worker for one time slot. */
  async takeLease(spiderId: string, run: string, slot: number, replica: string): Promise<boolean> {
    try {
      await this.leases.collection.insertOne({ _id: `${spiderId}:${run}:${slot}`, sid: spiderId, replica, at: new Date() } as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async dropLeases(spiderId: string): Promise<void> {
    await this.leases.deleteMany({ sid: spiderId });
  }
}
