import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { SCHEDULE_MODEL } from '../task.schema';
import { ScheduleRecord } from '../schedule.types';

export type ScheduleFields = Omit<ScheduleRecord, '_id' | 'createdAt' | 'lastRunAt' | 'nextRunAt'>;

@Injectable()
export class ScheduleRepository {
  constructor(@InjectModel(SCHEDULE_MODEL) private readonly model: Model<ScheduleRecord>) {}

  async create(fields: ScheduleFields, nextRunAt: Date | null): Promise<ScheduleRecord> {
    return (await this.model.create({ ...fields, nextRunAt, createdAt: new Date() })).toObject<ScheduleRecord>();
  }

  async findById(id: string): Promise<ScheduleRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean<ScheduleRecord>();
  }

  async list(): Promise<ScheduleRecord[]> {
    return this.model.find().sort({ createdAt: 1 }).lean<ScheduleRecord[]>();
  }

  async update(id: string, set: Partial<ScheduleRecord>): Promise<ScheduleRecord | null> {
    await this.model.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    return this.findById(id);
  }

  async delete(id: string): Promise<void> {
    await this.model.deleteOne({ _id: new Types.ObjectId(id) });
  }
}
