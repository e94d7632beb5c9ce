import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { TASK_LOG_MODEL } from '../task.schema';

export type StoredLogLine = { seq: number; ts: Date; stream: string; text: string };
type LogBatchDoc = { _id: string; taskId: string; attempt: number; from: number; to: number; lines: StoredLogLine[] };

@Injectable()
export class TaskLogRepository {
  constructor(@InjectModel(TASK_LOG_MODEL) private readonly model: Model<LogBatchDoc>) {}

  /**
   * Stores a contiguous run of lines idempotently: when a batch starting at the same seq
   * is already stored (a resend after a lost reply), only the lines past its end are added.
   * Returns how many lines were newly stored.
   */
  async append(taskId: string, attempt: number, lines: StoredLogLine[]): Promise<number> {
    let rest = [...lines].sort((a, b) => a.seq - b.seq);
    while (rest.length > 0) {
      const from = rest[0].seq;
      const _id = `${taskId}:${attempt}:${from}`;
      try {
        await this.model.collection.insertOne({ _id, taskId, attempt, from, to: rest[rest.length - 1].seq, lines: rest } as never);
        return rest.length;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const stored = await this.model.findById(_id, { to: 1 }).lean<{ to: number }>();
        if (!stored) throw err;
        rest = rest.filter((l) => l.seq > stored.to);
      }
    }
    return 0;
  }

  /** Up to `limit` lines with seq > `after`, in order. */
  async page(taskId: string, attempt: number, after: number, limit: number): Promise<StoredLogLine[]> {
    const out: StoredLogLine[] = [];
    const cursor = this.model
      .find({ taskId, attempt, to: { $gt: after } }, { lines: 1 })
      .sort({ from: 1 })
      .lean<{ lines: StoredLogLine[] }>()
      .cursor();
    try {
      for await (const doc of cursor) {
        for (const l of doc.lines) if (l.seq > after && out.length < limit) out.push(l);
        if (out.length >= limit) break;
      }
    } finally {
      await cursor.close();
    }
    return out;
  }
}
