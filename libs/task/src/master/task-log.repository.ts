import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError } from '@crawlnest/node';
import { TaskArchiveRepository } from './task-archive.repository';

export type StoredLogLine = { seq: number; ts: Date; stream: string; text: string };
type LogBatchDoc = { _id: string; taskId: string; attempt: number; from: number; to: number; lines: StoredLogLine[] };

/**
 * Log batches (see TaskLogSchema for the document shape) live in the log collection of the
 * task's creation hour, so reading one task's log scans one hour of logs, not the history.
 */
@Injectable()
export class TaskLogRepository {
  constructor(private readonly buckets: TaskArchiveRepository) {}

  /**
   * Stores a contiguous run of lines idempotently: when a batch starting at the same seq
   * is already stored (a resend after a lost reply), only the lines past its end are added.
   * Returns how many lines were newly stored.
   */
  async append(taskId: string, attempt: number, lines: StoredLogLine[]): Promise<number> {
    const coll = await this.buckets.logs(taskId);
    let rest = [...lines].sort((a, b) => a.seq - b.seq);
    while (rest.length > 0) {
      const from = rest[0].seq;
      const _id = `${taskId}:${attempt}:${from}`;
      try {
        const doc: LogBatchDoc = { _id, taskId, attempt, from, to: rest[rest.length - 1].seq, lines: rest };
        await coll.insertOne(doc as never);
        return rest.length;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const stored = await coll.findOne<{ to: number }>({ _id: _id as never }, { projection: { to: 1 } });
        if (!stored) throw err;
        rest = rest.filter((l) => l.seq > stored.to);
      }
    }
    return 0;
  }

  /** Up to `limit` lines with seq > `after`, in order. */
  async page(taskId: string, attempt: number, after: number, limit: number): Promise<StoredLogLine[]> {
    const coll = await this.buckets.logs(taskId);
    const out: StoredLogLine[] = [];
    const cursor = coll.find<{ lines: StoredLogLine[] }>({ taskId, attempt, to: { $gt: after } }, { projection: { lines: 1 }, sort: { from: 1 } });
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

  /** Removes the log lines of ended tasks of one hour (retention, when the hour cannot be dropped whole). */
  async deleteForTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const coll = await this.buckets.logs(taskIds[0]);
    await coll.deleteMany({ taskId: { $in: taskIds } });
  }
}
