import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { ManifestEntry } from '../manifest';
import { SPIDER_VERSION_MODEL } from '../sync.schema';
import { SpiderVersionRecord } from '../spider.types';

@Injectable()
export class SpiderVersionRepository {
  constructor(@InjectModel(SPIDER_VERSION_MODEL) private readonly model: Model<SpiderVersionRecord>) {}

  /** Inserts version `version`; false when another upload already claimed that number. */
  async tryInsert(spiderId: string, version: number, files: ManifestEntry[]): Promise<boolean> {
    try {
      await this.model.create({ _id: `${spiderId}:${version}`, spiderId, version, files, createdAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async find(spiderId: string, version: number): Promise<SpiderVersionRecord | null> {
    return this.model.findById(`${spiderId}:${version}`).lean<SpiderVersionRecord>();
  }

  async latest(spiderId: string): Promise<SpiderVersionRecord | null> {
    return this.model.findOne({ spiderId }).sort({ version: -1 }).lean<SpiderVersionRecord>();
  }

  async deleteAll(spiderId: string): Promise<void> {
    await this.model.deleteMany({ spiderId });
  }
}
