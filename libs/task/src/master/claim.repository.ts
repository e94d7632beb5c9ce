import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { TASK_CLAIM_MODEL } from '../task.schema';
import type { CloseIntent } from './close-intent';

export type ClaimDoc = { _id: string; by: string; at: Date; intent?: CloseIntent };

/**
 * Mutual exclusion that holds on FerretDB 1.x, where findOneAndUpdate is not atomic:
 * the first insert of an `_id` wins, every other gets a duplicate-key error. A claim may
 * carry the change its winner is about to make (`intent`): claim and plan land in one
 * atomic insert, so any replica can finish the change if the winner dies half-way.
 */
@Injectable()
export class ClaimRepository {
  constructor(@InjectModel(TASK_CLAIM_MODEL) private readonly model: Model<ClaimDoc>) {}

  async tryClaim(id: string, by: string, intent?: CloseIntent): Promise<boolean> {
    try {
      await this.model.collection.insertOne({ _id: id, by, at: new Date(), ...(intent ? { intent } : {}) } as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** One claim by `_id` (the lookup FerretDB serves from its index). */
  async find(id: string): Promise<ClaimDoc | null> {
    return this.model.collection.findOne({ _id: id } as never) as Promise<ClaimDoc | null>;
  }
}
