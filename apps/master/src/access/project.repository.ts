import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { DEFAULT_PROJECT_ID } from '@crawlnest/sync';
import { isDuplicateKeyError } from '@crawlnest/node';
import { PROJECT_MODEL } from './access.schema';
import { ProjectRecord } from './access.types';

type ProjectDoc = { _id: Types.ObjectId; name: string; description: string; createdAt: Date };

function toRecord(d: ProjectDoc): ProjectRecord {
  return { id: String(d._id), name: d.name, description: d.description ?? '', createdAt: d.createdAt };
}

@Injectable()
export class ProjectRepository implements OnModuleInit {
  constructor(@InjectModel(PROJECT_MODEL) private readonly model: Model<ProjectDoc>) {}

  /**
   * The `default` project, which holds every spider stored before projects existed (their
   * documents have no projectId; the spider view says this id). A fixed `_id`: replicas
   * starting together insert it once (the unique `_id` is atomic on every backend).
   */
  async onModuleInit(): Promise<void> {
    await this.model.createIndexes();
    try {
      await this.model.create({ _id: new Types.ObjectId(DEFAULT_PROJECT_ID), name: 'default', description: 'Spiders from before projects existed' });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async create(name: string, description: string): Promise<ProjectRecord> {
    return toRecord((await this.model.create({ name, description })).toObject<ProjectDoc>());
  }

  async findById(id: string): Promise<ProjectRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const d = await this.model.findById(id).lean<ProjectDoc>();
    return d ? toRecord(d) : null;
  }

  async list(): Promise<ProjectRecord[]> {
    return (await this.model.find().sort({ name: 1 }).lean<ProjectDoc[]>()).map(toRecord);
  }
}
