import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { BatchedWrites, insertOutcomes } from '@crawlnest/node';
import { TASK_CLAIM_MODEL } from '../task.schema';
import type { CloseIntent } from './close-intent';

export type ClaimDoc = { _id: string; by: string; at: Date; intent?: CloseIntent };

/**
 * Mutual exclusion that holds on FerretDB 1.x, where findOneAndUpdate is not atomic:
 * the first insert of an `_id` wins, every other gets a duplicate-key error. A claim may
 * carry the change its winner is about to make (`intent`): claim and plan land in one
 * atomic insert, so any replica can finish the change if the winner dies half-way.
 *
 * Claims asked for while an insert is in flight go out together in the next one, an
 * unordered insertMany (BatchedWrites): each document is still its own atomic insert, and the
 * answer says per document whether it landed or hit a duplicate (insert-outcomes.ts). A lone
 * claim goes out at once. Under a stream of dispatches and closes that is fewer round trips
 * than claims (FerretDB 1.24 and MongoDB 7 both report unordered duplicates per document).
 */
@Injectable()
export class ClaimRepository {
  private readonly inserts = new BatchedWrites<ClaimDoc, boolean | Error>(async (docs) => {
    try {
      await this.model.collection.insertMany(docs as never[], { ordered: false });
      return docs.map(() => true);
    } catch (err) {
      return insertOutcomes(err, docs.length);
    }
  });

  constructor(@InjectModel(TASK_CLAIM_MODEL) private readonly model: Model<ClaimDoc>) {}

  async tryClaim(id: string, by: string, intent?: CloseIntent): Promise<boolean> {
    const [won] = await this.inserts.push([{ _id: id, by, at: new Date(), ...(intent ? { intent } : {}) }]);
    if (won instanceof Error) throw won;
    return won;
  }

  /** One claim by `_id` (the lookup FerretDB serves from its index). */
  async find(id: string): Promise<ClaimDoc | null> {
    return this.model.collection.findOne({ _id: id } as never) as Promise<ClaimDoc | null>;
  }
}
