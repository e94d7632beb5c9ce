import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { TASK_CLAIM_MODEL } from '../task.schema';

/**
 * Mutual exclusion that holds on FerretDB 1.x, where findOneAndUpdate is not atomic:
 * the first insert of an `_id` wins, every other gets a duplicate-key error.
 */
@Injectable()
export class ClaimRepository {
  constructor(@InjectModel(TASK_CLAIM_MODEL) private readonly model: Model<{ _id: string; by: string; at: Date }>) {}

  async tryClaim(id: string, by: string): Promise<boolean> {
    try {
      await this.model.collection.insertOne({ _id: id, by, at: new Date() } as never);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }
}
