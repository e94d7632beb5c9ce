import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { SPIDER_MODEL } from '../sync.schema';
import { SpiderRecord } from '../spider.types';

export type SpiderFields = Pick<SpiderRecord, 'name' | 'cmd' | 'param' | 'description' | 'resultsCollection' | 'dedup' | 'killGraceSec'>;

@Injectable()
export class SpiderRepository implements OnModuleInit {
  private readonly log = new Logger(SpiderRepository.name);

  constructor(@InjectModel(SPIDER_MODEL) private readonly model: Model<SpiderRecord>) {}

  /**
   * Builds the unique name index before requests arrive. A database holding duplicate
   * names from before cannot get it: the master still starts (the service checks names
   * before writing) and says which names to rename.
   */
  async onModuleInit(): Promise<void> {
    try {
      await this.model.createIndexes();
    } catch (err) {
      const dups = await this.model.aggregate<{ _id: string }>([{ $group: { _id: '$name', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]);
      this.log.warn({ err: (err as Error).message, duplicateNames: dups.map((d) => d._id) }, 'unique spider name index not built: rename the duplicate spiders (PATCH /api/spiders/:id) and restart');
    }
  }

  async findByName(name: string): Promise<SpiderRecord | null> {
    return this.model.findOne({ name }).lean<SpiderRecord>();
  }

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
