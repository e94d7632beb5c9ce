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
  async tryInsert(spiderId: string, version: number, files: ManifestEntry[], restoredFrom?: number): Promise<boolean> {
    try {
      const doc = { _id: `${spiderId}:${version}`, spiderId, version, files, createdAt: new Date() };
      await this.model.create(restoredFrom === undefined ? doc : { ...doc, restoredFrom });
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

  /** A spider's stored versions (retention keeps them few), with their sizes; newest first. */
  async listForSpider(spiderId: string): Promise<{ version: number; fileCount: number; totalBytes: number; createdAt: Date; restoredFrom?: number }[]> {
    const rows = await this.model
      .find({ spiderId }, { _id: 0, version: 1, createdAt: 1, restoredFrom: 1, 'files.size': 1 })
      .lean<{ version: number; createdAt: Date; restoredFrom?: number; files: { size: number }[] }[]>();
    return rows
      .map((r) => ({
        version: r.version,
        fileCount: r.files?.length ?? 0,
        totalBytes: (r.files ?? []).reduce((n, f) => n + (f.size ?? 0), 0),
        createdAt: r.createdAt,
        restoredFrom: r.restoredFrom,
      }))
      .sort((a, b) => b.version - a.version);
  }

  /** Version numbers of every spider, without their manifests. */
  async listNumbers(): Promise<{ spiderId: string; version: number }[]> {
    return this.model.find({}, { _id: 0, spiderId: 1, version: 1 }).lean<{ spiderId: string; version: number }[]>();
  }

  /** Every content hash some version references: the collector's mark phase. */
  async referencedContent(): Promise<Set<string>> {
    const rows = await this.model.find({}, { _id: 0, 'files.sha256': 1 }).lean<{ files: { sha256: string }[] }[]>();
    const out = new Set<string>();
    for (const r of rows) for (const f of r.files ?? []) out.add(f.sha256);
    return out;
  }

  async deleteVersion(spiderId: string, version: number): Promise<void> {
    await this.model.deleteOne({ _id: `${spiderId}:${version}` });
  }

  async deleteAll(spiderId: string): Promise<void> {
    await this.model.deleteMany({ spiderId });
  }
}
