import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { SPIDER_HEAD_MODEL, SPIDER_MODEL } from '../sync.schema';
import { SpiderRecord } from '../spider.types';

export type SpiderFields = Pick<SpiderRecord, 'name' | 'cmd' | 'param' | 'description' | 'resultsCollection' | 'dedup' | 'killGraceSec' | 'keepVersions' | 'projectId'>;

/** The user's spider document; documents stored before the split may still hold the head fields. */
type SpiderUserDoc = Omit<SpiderRecord, 'version' | 'fileCount' | 'totalBytes'> & Partial<Pick<SpiderRecord, 'version' | 'fileCount' | 'totalBytes'>>;
type SpiderHeadDoc = { _id: string; version: number; fileCount: number; totalBytes: number; updatedAt: Date };
/** Spiders remembered by findRecent at most (the oldest read forgotten first). */
const RECENT_MAX = 1000;
/** How old a read an access check may use (findProjectId): the create path's SPIDER_READ_MS. */
const PROJECT_READ_MS = 1000;

/**
 * Spiders as two single-writer documents (docs/consistency.md): `spiders` (what users edit,
 * written by create and PATCH only) and `spider_heads` (version, fileCount, totalBytes, written
 * by uploads only). Readers get them joined as a SpiderRecord.
 */
@Injectable()
export class SpiderRepository implements OnModuleInit {
  private readonly log = new Logger(SpiderRepository.name);
  /** id → a read and when it started (findRecent); dropped by every write of the spider made here. */
  private readonly recent = new Map<string, { at: number; read: Promise<SpiderRecord | null> }>();

  constructor(
    @InjectModel(SPIDER_MODEL) private readonly model: Model<SpiderUserDoc>,
    @InjectModel(SPIDER_HEAD_MODEL) private readonly heads: Model<SpiderHeadDoc>,
  ) {}

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
    return joinSpider((await this.model.create(fields)).toObject<SpiderUserDoc>(), undefined);
  }

  /**
   * The spider's project (what an access check needs). undefined: no such spider. Served from
   * a read of this replica at most PROJECT_READ_MS old (findRecent), the one a task create
   * right after the check uses too: a burst of creates reads the spider about once a second,
   * not twice per create. A move to another project made through this replica drops the read
   * at once; one made through another replica reaches this replica's checks within that time.
   */
  async findProjectId(id: string): Promise<string | null | undefined> {
    if (!Types.ObjectId.isValid(id)) return undefined;
    const spider = await this.findRecent(id, PROJECT_READ_MS);
    return spider ? (spider.projectId ?? null) : undefined;
  }

  /**
   * The spider from a read that started at most `maxAgeMs` ago on this replica, else read now
   * (callers within the age share one read). Every write of the spider through this replica
   * drops it, before and after the write, so after an edit or upload here the next call reads
   * the new spider; an edit made through another replica is seen within `maxAgeMs`.
   */
  async findRecent(id: string, maxAgeMs: number): Promise<SpiderRecord | null> {
    const now = Date.now();
    const hit = this.recent.get(id);
    if (hit && now - hit.at <= maxAgeMs) return hit.read;
    const entry = { at: now, read: this.findById(id) };
    this.recent.delete(id);
    this.recent.set(id, entry);
    if (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as string);
    entry.read.catch(() => {
      if (this.recent.get(id) === entry) this.recent.delete(id); // a failed read is not remembered
    });
    return entry.read;
  }

  /** A write of the spider: the remembered read is dropped before it (no read started meanwhile outlives it) and after it. */
  private async writing<T>(id: string, write: () => Promise<T>): Promise<T> {
    this.recent.delete(String(id));
    try {
      return await write();
    } finally {
      this.recent.delete(String(id));
    }
  }

  async findById(id: string): Promise<SpiderRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [user, head] = await Promise.all([this.model.findById(id).lean<SpiderUserDoc>(), this.heads.findById(id).lean<SpiderHeadDoc>()]);
    return user ? joinSpider(user, head ?? undefined) : null;
  }

  async list(): Promise<SpiderRecord[]> {
    const [users, heads] = await Promise.all([this.model.find().sort({ createdAt: 1 }).lean<SpiderUserDoc[]>(), this.heads.find().lean<SpiderHeadDoc[]>()]);
    const headOf = new Map(heads.map((h) => [h._id, h]));
    return users.map((u) => joinSpider(u, headOf.get(String(u._id))));
  }

  /** A user's edit: the only update of a `spiders` document. */
  async update(id: string, set: Partial<SpiderFields>): Promise<SpiderRecord | null> {
    await this.writing(id, () => this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set }));
    return this.findById(id);
  }

  /**
   * Moves the spider's head to `version` unless a newer one was already recorded. Two uploads
   * finishing at once on FerretDB (read-then-write) can still leave the older head for a moment;
   * the version documents, claimed by unique insert, stay the authority for content.
   */
  async advanceVersion(id: string, version: number, fileCount: number, totalBytes: number): Promise<void> {
    await this.writing(id, () => this.writeHead(id, version, fileCount, totalBytes));
  }

  private async writeHead(id: string, version: number, fileCount: number, totalBytes: number): Promise<void> {
    const set = { version, fileCount, totalBytes, updatedAt: new Date() };
    const res = await this.heads.updateOne({ _id: id, version: { $lt: version } }, { $set: set });
    if (res.matchedCount > 0) return;
    try {
      await this.heads.create({ _id: id, ...set });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // A head exists: newer (nothing to do), or inserted just now by a racing upload.
      await this.heads.updateOne({ _id: id, version: { $lt: version } }, { $set: set });
    }
  }

  async delete(id: string): Promise<void> {
    await this.writing(id, async () => {
      await this.model.deleteOne({ _id: new Types.ObjectId(id) });
      await this.heads.deleteOne({ _id: id });
    });
  }
}

function joinSpider(user: SpiderUserDoc, head: SpiderHeadDoc | undefined): SpiderRecord {
  const updated = Math.max(new Date(user.updatedAt).getTime(), head ? new Date(head.updatedAt).getTime() : 0);
  return {
    ...user,
    version: head?.version ?? user.version ?? 0,
    fileCount: head?.fileCount ?? user.fileCount ?? 0,
    totalBytes: head?.totalBytes ?? user.totalBytes ?? 0,
    updatedAt: new Date(updated),
  };
}
