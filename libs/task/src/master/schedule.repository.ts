import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { SCHEDULE_MODEL } from '../task.schema';
import { ScheduleRecord } from '../schedule.types';

/** What a user sets on a schedule: the only fields ever written to the `schedules` documents. */
export type ScheduleFields = Omit<ScheduleRecord, '_id' | 'createdAt'>;

/** The user-edited schedule documents. Written by user edits only (docs/consistency.md). */
@Injectable()
export class ScheduleRepository {
  constructor(@InjectModel(SCHEDULE_MODEL) private readonly model: Model<ScheduleRecord>) {}

  async create(fields: ScheduleFields): Promise<ScheduleRecord> {
    return (await this.model.create({ ...fields, createdAt: new Date() })).toObject<ScheduleRecord>();
  }

  async findById(id: string): Promise<ScheduleRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean<ScheduleRecord>();
  }

  async list(): Promise<ScheduleRecord[]> {
    return this.model.find().sort({ createdAt: 1 }).lean<ScheduleRecord[]>();
  }

  async update(id: string, set: Partial<ScheduleFields>): Promise<ScheduleRecord | null> {
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  async delete(id: string): Promise<void> {
    await this.model.deleteOne({ _id: new Types.ObjectId(id) });
  }
}
