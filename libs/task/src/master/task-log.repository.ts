import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { TASK_LOG_MODEL } from '../task.schema';

export type StoredLogLine = { taskId: string; attempt: number; seq: number; ts: Date; stream: string; text: string };

@Injectable()
export class TaskLogRepository {
  constructor(@InjectModel(TASK_LOG_MODEL) private readonly model: Model<StoredLogLine & { _id: string }>) {}

  /** Idempotent: lines already stored (a resent batch) are skipped, the rest inserted. */
  async append(lines: StoredLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    const docs = lines.map((l) => ({ _id: `${l.taskId}:${l.attempt}:${l.seq}`, ...l }));
    try {
      await this.model.collection.insertMany(docs as never[], { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
      const onlyDuplicates =
        isDuplicateKeyError(err) && Array.isArray(writeErrors) && writeErrors.every((e) => isDuplicateKeyError(e));
      if (!onlyDuplicates) throw err;
    }
  }

  async page(taskId: string, attempt: number, after: number, limit: number): Promise<StoredLogLine[]> {
    return this.model
      .find({ taskId, attempt, seq: { $gt: after } }, { _id: 0 })
      .sort({ seq: 1 })
      .limit(limit)
      .lean<StoredLogLine[]>();
  }
}
