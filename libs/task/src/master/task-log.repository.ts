import { Injectable } from '@nestjs/common';
import { mongo } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { bucketOfId } from '../archive-bucket';
import { packLines, unpackLines } from '../log-batch-codec';
import { LOG_STRIDE, logBatchId, LogBatch, readLogPage, splitAtStrides, strideStart } from '../log-pages';
import { LogTableRotation } from './log-table.rotation';
import { TaskArchiveRepository } from './task-archive.repository';

export type StoredLogLine = { seq: number; ts: Date; stream: string; text: string };
type LogBatchDoc = { _id: string; taskId: string; attempt: number; from: number; to: number; packed: string };
/** A batch as read: packed, or (stored before packing) line objects. */
type StoredBatch = { from: number; to: number; packed?: string; lines?: StoredLogLine[] };
/**
 * Directory entry `<taskId>:<attempt>:s<stride>`: which log table holds that stride. Inserted
 * once, never updated; no other field, because every lookup scans the directory's bytes.
 */
type StrideMarkDoc = { _id: string; table: string };

/** Bytes of a stored batch besides its packed lines (ids, field names, FerretDB's type schema). */
const BATCH_OVERHEAD_BYTES = 300;
/** Stride marks remembered (they never change): a followed log reads its directory once. */
const MARKS_CACHED = 20_000;

/**
 * One attempt's log lines, stored so that reading a page costs the same whatever other tasks
 * logged (issue 15). On the embedded FerretDB only `{_id: <string>}` reaches SQLite, and it
 * is a scan of the table (~30 ms per MB), not an index lookup; any other filter decodes every
 * document. So:
 * - lines are cut into batches at stride boundaries (log-pages.ts), a page is the chain of
 *   batch `_id`s from the stride start of `after + 1`;
 * - batches live in size-bounded log tables of the task's creation hour
 *   (`task_logs_<hour>_<suffix>`, LogTableRotation), so each lookup scans at most one bound;
 * - the hour collection `task_logs_<hour>` is the directory: one insert-only mark per
 *   (attempt, stride) naming its table. Marks are tiny (one per 1000 lines, per attempt), and
 *   inserts are atomic on FerretDB, so concurrent writers agree on a stride's table and no
 *   read-then-write update can lose an entry.
 * Retention still drops an hour by name (TaskArchiveRepository.dropBucket). Hours stored
 * before this layout (batches in the hour collection itself) are read there when a stride has
 * no mark.
 */
@Injectable()
export class TaskLogRepository {
  private readonly rotation = new LogTableRotation();
  private readonly marks = new Map<string, string>();

  constructor(private readonly buckets: TaskArchiveRepository) {}

  /**
   * Stores a contiguous run of lines idempotently, one document per stride piece, in seq order
   * (so a crash mid-store leaves a prefix, completed by the worker's resend). When a piece
   * starting at the same seq is already stored (a resend after a lost reply), only its lines
   * past the stored end are added. Returns how many lines were newly stored.
   */
  async append(taskId: string, attempt: number, lines: StoredLogLine[]): Promise<number> {
    const hour = bucketOfId(taskId);
    let stored = 0;
    let pieces = splitAtStrides(lines);
    while (pieces.length > 0) {
      const piece = pieces[0];
      const table = await this.strideTable(taskId, attempt, strideStart(piece.from), true);
      const coll = await this.buckets.logTable(hour, table as string);
      const _id = logBatchId(taskId, attempt, piece.from);
      try {
        const doc: LogBatchDoc = { _id, taskId, attempt, from: piece.from, to: piece.to, packed: packLines(piece.lines) };
        await coll.insertOne(doc as never);
        stored += piece.lines.length;
        this.rotation.wrote(hour, table as string, doc.packed.length + BATCH_OVERHEAD_BYTES);
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
    const hour = bucketOfId(taskId);
    let marked = false;
    /** The stride's table; null: nothing stored there. Without any mark, the hour may be of the old layout (batches in the hour collection). */
    const strideColl = async (from: number): Promise<mongo.Collection | null> => {
      const table = await this.strideTable(taskId, attempt, strideStart(from), false);
      if (table !== null) marked = true;
      // A missing mark after a found one is the end of this log: no lookup of the old layout.
      return table !== null ? this.buckets.logTable(hour, table) : marked ? null : this.buckets.logs(taskId);
    };
    return readLogPage<StoredLogLine>(
      {
        lookup: async (from) => {
          const coll = await strideColl(from);
          if (!coll) return null;
          const b = await coll.findOne<StoredBatch>({ _id: logBatchId(taskId, attempt, from) as never }, { projection: BATCH_FIELDS });
          return b && toBatch(b);
        },
        stride: async (start) => {
          const coll = await strideColl(start);
          if (!coll) return [];
          // One filtered read of a bounded table: a slow logger's stride of many small batches.
          const q = { taskId, attempt, from: { $gte: start, $lt: start + LOG_STRIDE } };
          return (await coll.find<StoredBatch>(q, { projection: BATCH_FIELDS }).toArray()).map(toBatch);
        },
      },
      after,
      limit,
    );
  }

  /** Removes the log lines of ended tasks of one hour (retention, when the hour cannot be dropped whole). */
  async deleteForTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const hour = bucketOfId(taskIds[0]);
    // Lines first, then the marks: a pass cut short leaves marks to nothing (read as an empty stride), never lines nobody can find.
    for (const name of await this.buckets.logTableNames(hour)) {
      await (await this.buckets.logTable(hour, name.slice(name.lastIndexOf('_') + 1))).deleteMany({ taskId: { $in: taskIds } });
    }
    // Marks carry only `_id` (prefix `<taskId>:`); batches of hours stored before marks carry `taskId`.
    const ofTasks = new RegExp(`^(${taskIds.map((id) => id.replace(/[^0-9a-f]/gi, '')).join('|')}):`);
    await (await this.buckets.logs(taskIds[0])).deleteMany({ $or: [{ taskId: { $in: taskIds } }, { _id: { $regex: ofTasks } }] } as never);
    for (const k of [...this.marks.keys()]) if (taskIds.some((id) => k.startsWith(id + ':'))) this.marks.delete(k);
  }

  /**
   * The log table of one stride, from its mark. With `claim`, a missing mark is inserted naming
   * this replica's current table (the first writer wins; a loser reads the winner's mark);
   * without, a missing mark answers null (nothing stored there yet, or an hour of the old layout).
   */
  private async strideTable(taskId: string, attempt: number, from: number, claim: boolean): Promise<string | null> {
    const _id = `${taskId}:${attempt}:s${from}`;
    const cached = this.marks.get(_id);
    if (cached) return cached;
    const dir = await this.buckets.logs(taskId);
    let table: string | null = null;
    if (claim) {
      const mark: StrideMarkDoc = { _id, table: this.rotation.tableFor(bucketOfId(taskId)) };
      try {
        await dir.insertOne(mark as never);
        table = mark.table;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    if (table === null) {
      const found = await dir.findOne<{ table: string }>({ _id: _id as never }, { projection: { table: 1 } });
      if (!found && claim) throw new Error(`log stride mark ${_id}: insert collided but the mark is not there`);
      table = found?.table ?? null;
    }
    if (table !== null) {
      this.marks.set(_id, table);
      if (this.marks.size > MARKS_CACHED) this.marks.delete(this.marks.keys().next().value as string);
    }
    return table;
  }
}

const BATCH_FIELDS = { from: 1, to: 1, packed: 1, lines: 1 };

function toBatch(b: StoredBatch): LogBatch<StoredLogLine> {
  return { from: b.from, to: b.to, lines: unpackLines(b) };
}
