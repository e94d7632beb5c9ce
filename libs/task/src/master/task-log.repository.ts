import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError } from '@crawlnest/node';
import { logBatchId, LogBatch, readLogPage, splitAtStrides } from '../log-pages';
import { TaskArchiveRepository } from './task-archive.repository';

export type StoredLogLine = { seq: number; ts: Date; stream: string; text: string };
type LogBatchDoc = { _id: string; taskId: string; attempt: number; from: number; to: number; lines: StoredLogLine[] };

/**
 * Log batches (see TaskLogSchema for the document shape) live in the log collection of the
 * task's creation hour. They are cut at stride boundaries (log-pages.ts), so a page read is a
 * few `_id` equality lookups, the one query shape FerretDB hands to SQLite, instead of a
 * filtered, sorted find that decodes every document of the hour.
 */
@Injectable()
export class TaskLogRepository {
  constructor(private readonly buckets: TaskArchiveRepository) {}

  /**
   * Stores a contiguous run of lines idempotently, one document per stride piece, in seq order
   * (so a crash mid-store leaves a prefix, completed by the worker's resend). When a piece
   * starting at the same seq is already stored (a resend after a lost reply), only its lines
   * past the stored end are added. Returns how many lines were newly stored.
   */
  async append(taskId: string, attempt: number, lines: StoredLogLine[]): Promise<number> {
    const coll = await this.buckets.logs(taskId);
    let stored = 0;
    let pieces = splitAtStrides(lines);
    while (pieces.length > 0) {
      const piece = pieces[0];
      const _id = logBatchId(taskId, attempt, piece.from);
      try {
        const doc: LogBatchDoc = { _id, taskId, attempt, from: piece.from, to: piece.to, lines: piece.lines };
        await coll.insertOne(doc as never);
        stored += piece.lines.length;
        pieces = pieces.slice(1);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const have = await coll.findOne<{ to: number }>({ _id: _id as never }, { projection: { to: 1 } });
        if (!have) throw err;
        // The stored piece keeps its `to`; the rest of this piece (if any) starts a new one at `to + 1`.
        pieces = [...splitAtStrides(piece.lines.filter((l) => l.seq > have.to)), ...pieces.slice(1)];
      }
    }
    return stored;
  }

  /** Up to `limit` lines with seq > `after`, in order. */
  async page(taskId: string, attempt: number, after: number, limit: number): Promise<StoredLogLine[]> {
    const coll = await this.buckets.logs(taskId);
    // `find({_id}).limit(1)`: FerretDB pushes the _id equality and the limit down to SQLite.
    return readLogPage<StoredLogLine>(
      async (from) => (await coll.findOne<LogBatch<StoredLogLine>>({ _id: logBatchId(taskId, attempt, from) as never }, { projection: { from: 1, to: 1, lines: 1 } })) ?? null,
      after,
      limit,
    );
  }

  /** Removes the log lines of ended tasks of one hour (retention, when the hour cannot be dropped whole). */
  async deleteForTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const coll = await this.buckets.logs(taskIds[0]);
    await coll.deleteMany({ taskId: { $in: taskIds } });
  }
}
