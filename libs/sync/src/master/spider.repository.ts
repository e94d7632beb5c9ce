import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { SPIDER_MODEL } from '../sync.schema';
import { SpiderRecord } from '../spider.types';

export type SpiderFields = Pick<SpiderRecord, 'name' | 'cmd' | 'param' | 'description' | 'killGraceSec'>;

@Injectable()
export class SpiderRepository {
  constructor(@InjectModel(SPIDER_MODEL) private readonly model: Model<SpiderRecord>) {}

  async create(fields: SpiderFields): Promise<SpiderRecord> {
    return (await this.model.create(fields)).toObject<SpiderRecord>();
  }

  async findById(id: string): Promise<SpiderRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean<SpiderRecord>();
  }

  async list(): Promise<SpiderRecord[]> {
    return this.model.find().sort({ createdAt: 1 }).lean<SpiderRecord[]>();
  }

  async update(id: string, set: Partial<SpiderFields>): Promise<SpiderRecord | null> {
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  /** Moves the spider to `version` unless a newer one was already recorded. */
  async advanceVersion(id: string, version: number, fileCount: number, totalBytes: number): Promise<void> {
    await this.model.updateOne(
      { _id: new Types.ObjectId(id), version: { $lt: version } },
      { $set: { version, fileCount, totalBytes } },
    );
  }

  async delete(id: string): Promise<void> {
    await this.model.deleteOne({ _id: new Types.ObjectId(id) });
  }
}
