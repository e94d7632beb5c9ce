import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { TASK_MODEL } from '../task.schema';
import { AttemptRecord, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { ClaimRepository } from './claim.repository';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';

export type NewTask = Omit<TaskRecord, '_id'>;

/**
 * Tasks live in `tasks` while open (pending, assigned, running) and in the hourly archive
 * (TaskArchiveRepository) once ended. Every change that closes an attempt (it ended, was cancelled,
 * declared abnormal, re-queued) first claims `close:<taskId>:<attempt>` by insert, so exactly
 * one actor closes it, on FerretDB (no atomic conditional update) as on MongoDB.
 */
@Injectable()
export class TaskRepository {
  constructor(
    @InjectModel(TASK_MODEL) private readonly open: Model<TaskRecord>,
    private readonly archive: TaskArchiveRepository,
    private readonly counters: TaskCountersService,
    private readonly claims: ClaimRepository,
  ) {}

  async insertMany(tasks: NewTask[]): Promise<TaskRecord[]> {
    const docs = await this.open.insertMany(tasks);
    return docs.map((d) => d.toObject<TaskRecord>());
  }

  /** By `_id` in the open collection and the task's archive hour; ended wins. */
  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [ended, open] = await Promise.all([this.archive.findById(id), this.open.findById(id).lean<TaskRecord>()]);
    return ended ?? open;
  }

  /** Every open task, in one query of the small collection; callers decide in memory. */
  async findOpen(): Promise<TaskRecord[]> {
    return this.open.find({}).lean<TaskRecord[]>();
  }

  /** Guarded by the attempt's dispatch claim; the filter also keeps a closed attempt closed. */
  async markAssigned(id: string, attempt: number, nodeId: string, spiderVersion: number): Promise<boolean> {
    const res = await this.open.updateOne(
      { _id: new Types.ObjectId(id), attempt, status: 'pending' },
      { $set: { status: 'assigned', nodeId, spiderVersion, assignedAt: new Date(), ackedAt: null } },
    );
    return res.modifiedCount === 1;
  }

  /**
   * A worker's report, applied only while `nodeId` holds the current attempt in one of
   * `from`. A report that ends the task closes the attempt and archives it.
   */
  async updateOnNode(id: string, attempt: number, nodeId: string, from: readonly TaskStatus[], set: Partial<TaskRecord>): Promise<boolean> {
    if (!Types.ObjectId.isValid(id)) return false;
    if (set.status && TERMINAL_STATUSES.includes(set.status)) {
      return this.close(id, attempt, (t) => t.nodeId === nodeId && from.includes(t.status), (t) => ({ ...t, ...set }));
    }
    const res = await this.open.updateOne({ _id: new Types.ObjectId(id), attempt, nodeId, status: { $in: from } }, { $set: set });
    return res.modifiedCount === 1;
  }

  /** Closes the attempt and puts the task back to pending as the next attempt. */
  async requeue(t: TaskRecord, from: readonly TaskStatus[], ended: AttemptRecord): Promise<boolean> {
    const id = String(t._id);
    if (!(await this.claims.tryClaim(`close:${id}:${t.attempt}`, 'requeue'))) return false;
    const res = await this.open.updateOne(
      { _id: t._id, attempt: t.attempt, status: { $in: from } },
      {
        $set: { status: 'pending', attempt: t.attempt + 1, nodeId: null, assignedAt: null, ackedAt: null, startedAt: null, exitCode: null, error: null },
        $push: { attempts: ended },
      },
    );
    return res.modifiedCount === 1;
  }

  /** Ends the task with `status` (cancelled, abnormal, error), keeping the attempt in `attempts`. */
  async end(t: TaskRecord, from: readonly TaskStatus[], status: TaskStatus, error: string): Promise<boolean> {
    const now = new Date();
    return this.close(
      String(t._id),
      t.attempt,
      (cur) => from.includes(cur.status),
      (cur) => ({
        ...cur,
        status,
        error,
        finishedAt: now,
        attempts: [...(cur.attempts ?? []), { attempt: cur.attempt, nodeId: cur.nodeId, status, error, at: now }],
      }),
    );
  }

  /**
   * Closes attempt `attempt` of task `id` if `ok` holds for its current state: claim the
   * close, write the ended task to the archive, then drop it from the open collection.
   */
  private async close(id: string, attempt: number, ok: (t: TaskRecord) => boolean, ended: (t: TaskRecord) => TaskRecord): Promise<boolean> {
    const cur = await this.open.findById(id).lean<TaskRecord>();
    if (!cur || cur.attempt !== attempt || !ok(cur)) return false;
    if (!(await this.claims.tryClaim(`close:${id}:${attempt}`, 'end'))) return false;
    const done = ended(cur);
    // false: archived by an earlier try that crashed before the delete (and counted then).
    if (await this.archive.insert(done)) await this.counters.recordEnded(done);
    await this.open.deleteOne({ _id: cur._id });
    return true;
  }
}
