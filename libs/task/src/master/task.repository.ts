import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { TASK_MODEL } from '../task.schema';
import { ACTIVE_STATUSES, AttemptRecord, TaskRecord, TaskStatus } from '../task.types';

export type NewTask = Omit<TaskRecord, '_id'>;

/** The only class that touches the tasks collection. */
@Injectable()
export class TaskRepository {
  constructor(@InjectModel(TASK_MODEL) private readonly model: Model<TaskRecord>) {}

  async insertMany(tasks: NewTask[]): Promise<TaskRecord[]> {
    const docs = await this.model.insertMany(tasks);
    return docs.map((d) => d.toObject<TaskRecord>());
  }

  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.model.findById(id).lean<TaskRecord>();
  }

  async list(filter: { status?: string; spiderId?: string; nodeId?: string }, page: number, size: number): Promise<{ items: TaskRecord[]; total: number }> {
    const q: Record<string, unknown> = {};
    if (filter.status) q.status = filter.status;
    if (filter.spiderId) q.spiderId = filter.spiderId;
    if (filter.nodeId) q.nodeId = filter.nodeId;
    const [items, total] = await Promise.all([
      this.model.find(q).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * size).limit(size).lean<TaskRecord[]>(),
      this.model.countDocuments(q),
    ]);
    return { items, total };
  }

  /** The best pending tasks: priority high→low, then oldest first. */
  async findPending(limit: number): Promise<TaskRecord[]> {
    return this.model.find({ status: 'pending' }).sort({ priority: -1, createdAt: 1, _id: 1 }).limit(limit).lean<TaskRecord[]>();
  }

  /** Assigned + running tasks per node, for the given nodes, in one query. */
  async countActiveByNode(nodeIds: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(nodeIds.map((id) => [id, 0]));
    if (nodeIds.length === 0) return counts;
    const rows = await this.model
      .find({ status: { $in: ACTIVE_STATUSES }, nodeId: { $in: nodeIds } }, { nodeId: 1 })
      .lean<{ nodeId: string }[]>();
    for (const r of rows) counts.set(r.nodeId, (counts.get(r.nodeId) ?? 0) + 1);
    return counts;
  }

  /** Guarded by the attempt's claim; the filter also keeps a cancelled task cancelled. */
  async markAssigned(id: string, attempt: number, nodeId: string, spiderVersion: number): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: new Types.ObjectId(id), attempt, status: 'pending' },
      { $set: { status: 'assigned', nodeId, spiderVersion, assignedAt: new Date(), ackedAt: null } },
    );
    return res.modifiedCount === 1;
  }

  async update(id: string, attempt: number, from: readonly TaskStatus[], set: Partial<TaskRecord>): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: new Types.ObjectId(id), attempt, status: { $in: from } },
      { $set: set },
    );
    return res.modifiedCount === 1;
  }

  /** A worker's report: applies only while `nodeId` holds the current attempt in one of `from`. */
  async updateOnNode(id: string, attempt: number, nodeId: string, from: readonly TaskStatus[], set: Partial<TaskRecord>): Promise<boolean> {
    if (!Types.ObjectId.isValid(id)) return false;
    const res = await this.model.updateOne({ _id: new Types.ObjectId(id), attempt, nodeId, status: { $in: from } }, { $set: set });
    return res.modifiedCount === 1;
  }

  /**
   * Back to pending as a new attempt (the old attempt's reports will be refused); the
   * ended attempt is kept in `attempts`.
   */
  async requeue(t: TaskRecord, from: readonly TaskStatus[], ended: AttemptRecord): Promise<boolean> {
    const res = await this.model.updateOne(
      { _id: t._id, attempt: t.attempt, status: { $in: from } },
      {
        $set: { status: 'pending', attempt: t.attempt + 1, nodeId: null, assignedAt: null, ackedAt: null, startedAt: null, exitCode: null, error: null },
        $push: { attempts: ended },
      },
    );
    return res.modifiedCount === 1;
  }

  /** Ends the attempt (and the task) with `status`, keeping the attempt in `attempts`. */
  async end(t: TaskRecord, from: readonly TaskStatus[], status: TaskStatus, error: string): Promise<boolean> {
    const now = new Date();
    const res = await this.model.updateOne(
      { _id: t._id, attempt: t.attempt, status: { $in: from } },
      {
        $set: { status, error, finishedAt: now },
        $push: { attempts: { attempt: t.attempt, nodeId: t.nodeId, status, error, at: now } },
      },
    );
    return res.modifiedCount === 1;
  }

  async findActiveOnNodes(nodeIds: string[]): Promise<TaskRecord[]> {
    if (nodeIds.length === 0) return [];
    return this.model.find({ status: { $in: ACTIVE_STATUSES }, nodeId: { $in: nodeIds } }).lean<TaskRecord[]>();
  }

  async findByIds(ids: string[]): Promise<TaskRecord[]> {
    const valid = ids.filter((i) => Types.ObjectId.isValid(i));
    if (valid.length === 0) return [];
    return this.model.find({ _id: { $in: valid.map((i) => new Types.ObjectId(i)) } }).lean<TaskRecord[]>();
  }

  async findRunningWithTimeout(): Promise<TaskRecord[]> {
    return this.model.find({ status: 'running', timeoutSec: { $gt: 0 } }).lean<TaskRecord[]>();
  }

  async findPendingSelectedBefore(createdBefore: Date): Promise<TaskRecord[]> {
    return this.model
      .find({ status: 'pending', mode: { $in: ['selected-nodes', 'all-nodes'] }, createdAt: { $lt: createdBefore } })
      .lean<TaskRecord[]>();
  }

  async countPendingBefore(createdBefore: Date): Promise<number> {
    return this.model.countDocuments({ status: 'pending', createdAt: { $lt: createdBefore } });
  }

  async findUnacknowledged(assignedBefore: Date): Promise<TaskRecord[]> {
    return this.model.find({ status: 'assigned', ackedAt: null, assignedAt: { $lt: assignedBefore } }).lean<TaskRecord[]>();
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.model.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  async oldestPending(): Promise<TaskRecord | null> {
    return this.model.findOne({ status: 'pending' }).sort({ createdAt: 1 }).lean<TaskRecord>();
  }
}
