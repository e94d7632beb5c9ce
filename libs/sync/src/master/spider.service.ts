import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { SpiderFields, SpiderRepository } from './spider.repository';
import { SpiderVersionRepository } from './spider-version.repository';
import { defaultResultsCollectionName, SpiderRecord, SpiderView, toSpiderView } from '../spider.types';

@Injectable()
export class SpiderService {
  constructor(
    private readonly spiders: SpiderRepository,
    private readonly versions: SpiderVersionRepository,
  ) {}

  async create(fields: SpiderFields): Promise<SpiderView> {
    const created = await this.spiders.create(fields);
    if (created.resultsCollection) return toSpiderView(created);
    // Fixed at creation (the view's default): renaming the spider later does not move its results.
    const resultsCollection = defaultResultsCollectionName(created.name, String(created._id));
    return toSpiderView((await this.spiders.update(String(created._id), { resultsCollection })) ?? { ...created, resultsCollection });
  }

  async list(): Promise<SpiderView[]> {
    return (await this.spiders.list()).map(toSpiderView);
  }

  async get(id: string): Promise<SpiderView> {
    return toSpiderView(await this.require(id));
  }

  async require(id: string): Promise<SpiderRecord> {
    const s = await this.spiders.findById(id);
    if (!s) throw new NotFoundError('spider', id);
    return s;
  }

  async update(id: string, fields: Partial<SpiderFields>): Promise<SpiderView> {
    await this.require(id);
    const s = await this.spiders.update(id, fields);
    if (!s) throw new NotFoundError('spider', id);
    return toSpiderView(s);
  }

  /** Content blobs stay: they may be shared with other spiders (content-addressed). */
  async delete(id: string): Promise<void> {
    await this.require(id);
    await this.spiders.delete(id);
    await this.versions.deleteAll(id);
  }
}
