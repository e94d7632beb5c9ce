import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, isDuplicateKeyError } from '@crawlnest/node';
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
    await this.refuseTakenName(fields.name);
    let created: SpiderRecord;
    try {
      created = await this.spiders.create(fields);
    } catch (err) {
      throw this.nameConflictOr(err, fields.name);
    }
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
    if (fields.name !== undefined) await this.refuseTakenName(fields.name, id);
    let s: SpiderRecord | null;
    try {
      s = await this.spiders.update(id, fields);
    } catch (err) {
      throw this.nameConflictOr(err, fields.name ?? '');
    }
    if (!s) throw new NotFoundError('spider', id);
    return toSpiderView(s);
  }

  /**
   * The readable answer for the common case; the unique index (nameConflictOr) is what
   * decides when two requests race for one name.
   */
  private async refuseTakenName(name: string, exceptId?: string): Promise<void> {
    const other = await this.spiders.findByName(name);
    if (other && String(other._id) !== exceptId) throw new ConflictError(`name: a spider named '${name}' already exists (${String(other._id)})`);
  }

  private nameConflictOr(err: unknown, name: string): unknown {
    return isDuplicateKeyError(err) ? new ConflictError(`name: a spider named '${name}' already exists`) : err;
  }

  /** Content blobs stay: they may be shared with other spiders (content-addressed). */
  async delete(id: string): Promise<void> {
    await this.require(id);
    await this.spiders.delete(id);
    await this.versions.deleteAll(id);
  }
}
