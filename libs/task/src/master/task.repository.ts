import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types, UpdateQuery } from 'mongoose';
import { TASK_MODEL } from '../task.schema';
import { AttemptRecord, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { BatchedWrites } from '@crawlnest/node';
import { ClaimRepository } from './claim.repository';
import { crashPoint } from './crash-point';
import { CLOSE_IN_FLIGHT_MS, closeKey, CloseIntent } from './close-intent';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { DbFlavor } from './db-flavor';
import { Guard, matchesGuard } from './guarded-update';

export type NewTask = Omit<TaskRecord, '_id'>;

/**
 * Tasks live in `tasks` while open (pending, assigned, running) and in the hourly archive
 * (TaskArchiveRepository) once ended. Every change that closes an attempt (it ended, was cancelled,
 * declared abnormal, re-queued) first claims `close:<taskId>:<attempt>` by insert, so exactly
 * one actor closes it, on FerretDB (no atomic conditional update) as on MongoDB. The claim
 * records the change (close-intent.ts), so a crash between the claim and the change leaves
 * nothing half-done: whoever next touches the attempt finishes it.
 */
@Injectable()
export class TaskRepository {
  constructor(
    @InjectModel(TASK_MODEL) private readonly open: Model<TaskRecord>,
    private readonly archive: TaskArchiveRepository,
    private readonly counters: TaskCountersService,
    private readonly claims: ClaimRepository,
    private readonly flavor: DbFlavor,
  ) {}

  /** Creates arriving while an insert is in flight go out together in the next one (BatchedWrites). */
  private readonly inserts = new BatchedWrites<NewTask, TaskRecord>(async (tasks) => {
    const docs = await this.open.insertMany(tasks);
    return docs.map((d) => d.toObject<TaskRecord>());
  });

  async insertMany(tasks: NewTask[]): Promise<TaskRecord[]> {
    return this.inserts.push(tasks);
  }

  /** By `_id` in the open collection and the task's archive hour; ended wins. */
  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [ended, open] = await Promise.all([this.archive.findById(id), this.open.findById(id).lean<TaskRecord>()]);
    return ended ?? open;
  }

  /**
   * By `_id`, open collection first and the archive only on a miss: one read for a task in
   * flight, the hot case of worker reports and the stale-run check. A task caught mid-close
   * (archived, not yet deleted) reads as still open here; those callers re-check anyway.
   */
  async findLive(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return (await this.open.findById(id).lean<TaskRecord>()) ?? this.archive.findById(id);
  }

  /** Every open task, in one query of the small collection; callers decide in memory. */
  async findOpen(): Promise<TaskRecord[]> {
    return this.open.find({}).lean<TaskRecord[]>();
  }

  /** The assigned and running tasks: the reconcile pass's read (bounded by the cluster's runner slots, not the backlog). */
  async findActive(): Promise<TaskRecord[]> {
    return this.open.find({ status: { $in: ['assigned', 'running'] } }).lean<TaskRecord[]>();
  }

  /** Every pending task: the dispatcher's rare full resync (a scan on FerretDB). */
  async findPending(): Promise<TaskRecord[]> {
    return this.open.find({ status: 'pending' }).lean<TaskRecord[]>();
  }

  /**
   * Pending tasks created (by `_id` time) or re-queued since `since`: the dispatcher's
   * incremental read of what other replicas queued. Its answer is bounded by what was queued
   * in the window, not by the backlog; on MongoDB both branches use an index.
   */
  async findPendingSince(since: Date): Promise<TaskRecord[]> {
    const idFloor = Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000));
    return this.open.find({ status: 'pending', $or: [{ _id: { $gte: idFloor } }, { requeuedAt: { $gte: since } }] }).lean<TaskRecord[]>();
  }

  /**
   * Guarded by the attempt's dispatch claim, which this replica holds: a cancel of a pending
   * attempt takes that same claim, so the only other writer is a close (ack-timeout re-queue,
   * selected nodes gone) of an attempt whose claim holder looked dead. On MongoDB the filter
   * keeps such a closed attempt closed. On FerretDB the write names only the `_id` (see
   * guarded-update.ts) and skips the guard's read: a closed task is gone from `tasks`, so the
   * write matches nothing; a re-queued one (attempt + 1) marked assigned here is refused at
   * the worker's ack (wrong attempt) and re-queued again by the ack timeout.
   */
  async markAssigned(id: string, attempt: number, nodeId: string, spiderVersion: number): Promise<boolean> {
    const _id = new Types.ObjectId(id);
    const set = { $set: { status: 'assigned' as const, nodeId, spiderVersion, assignedAt: new Date(), ackedAt: null } };
    if (await this.flavor.isFerretDb()) return (await this.open.updateOne({ _id }, set)).matchedCount === 1;
    return (await this.open.updateOne({ _id, attempt, status: 'pending' }, set)).modifiedCount === 1;
  }

  /**
   * A worker's report, applied only while `nodeId` holds the current attempt in one of
   * `from`. A report that ends the task closes the attempt and archives it. A close of this
   * attempt still in flight elsewhere throws, so the worker retries once it has settled.
   */
  async updateOnNode(id: string, attempt: number, nodeId: string, from: readonly TaskStatus[], set: Partial<TaskRecord>): Promise<boolean> {
    if (!Types.ObjectId.isValid(id)) return false;
    if (set.status && TERMINAL_STATUSES.includes(set.status)) {
      const r = await this.close(id, attempt, (t) => t.nodeId === nodeId && from.includes(t.status), (t) => ({ kind: 'archive', task: { ...t, ...set } }));
      if (r === 'in-flight') throw new CloseInFlightError(id, attempt);
      return r === 'closed';
    }
    return (await this.updateGuarded(new Types.ObjectId(id), { attempt, nodeId, status: { $in: from } }, { $set: set })) !== null;
  }

  /** The worker's start of an assigned attempt; answers the task as it was before (its creation time, for the dispatch latency), or null when refused. */
  async markStarted(id: string, attempt: number, nodeId: string, set: Partial<TaskRecord>): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return this.updateGuarded(new Types.ObjectId(id), { attempt, nodeId, status: 'assigned' }, { $set: { ...set, status: 'running' } });
  }

  /**
   * `update` applied while `guard` holds: in the filter on MongoDB, by a read first on FerretDB
   * (guarded-update.ts). Answers the task as it was just before the write, or null when the
   * guard did not hold.
   */
  private async updateGuarded(_id: Types.ObjectId, guard: Guard, update: UpdateQuery<TaskRecord>): Promise<TaskRecord | null> {
    if (!(await this.flavor.isFerretDb())) return this.open.findOneAndUpdate({ _id, ...guard }, update, { returnDocument: 'before' }).lean<TaskRecord>();
    const cur = await this.open.findById(_id).lean<TaskRecord>();
    if (!cur || !matchesGuard(cur as unknown as Record<string, unknown>, guard)) return null;
    return (await this.open.updateOne({ _id }, update)).matchedCount === 1 ? cur : null;
  }

  /**
   * The filter for deleting attempt `attempt` of task `_id` once archived. Its close claim
   * guards it and a repeated delete changes nothing, so FerretDB gets the bare `_id` it serves
   * from its index; MongoDB keeps the attempt as a second check.
   */
  private async deleteFilter(_id: Types.ObjectId, attempt: number): Promise<{ _id: Types.ObjectId; attempt?: number }> {
    return (await this.flavor.isFerretDb()) ? { _id } : { _id, attempt };
  }

  /** Closes the attempt and puts the task back to pending as the next attempt. */
  async requeue(t: TaskRecord, from: readonly TaskStatus[], ended: AttemptRecord): Promise<boolean> {
    return (await this.close(String(t._id), t.attempt, (cur) => from.includes(cur.status), () => ({ kind: 'requeue', ended }))) === 'closed';
  }

  /** Ends the task with `status` (cancelled, abnormal, error), keeping the attempt in `attempts`. */
  async end(t: TaskRecord, from: readonly TaskStatus[], status: TaskStatus, error: string): Promise<boolean> {
    const now = new Date();
    const r = await this.close(
      String(t._id),
      t.attempt,
      (cur) => from.includes(cur.status),
      (cur) => ({
        kind: 'archive',
        task: { ...cur, status, error, finishedAt: now, attempts: [...(cur.attempts ?? []), { attempt: cur.attempt, nodeId: cur.nodeId, status, error, at: now }] },
      }),
    );
    return r === 'closed';
  }

  /**
   * Finishes the close of `t`'s current attempt when a claim for it exists but its change
   * never landed (its replica or the database died between the steps). True when it did.
   */
  async finishLeftoverClose(t: TaskRecord): Promise<boolean> {
    return (await this.replayLeftover(String(t._id), t.attempt)) === 'closed';
  }

  /**
   * Closes attempt `attempt` of task `id` if `ok` holds for its current state: one insert
   * claims the close and records its intent, then the intent is applied. When someone else
   * holds the claim, a leftover (claim older than CLOSE_IN_FLIGHT_MS, attempt still open) is
   * finished here, and the answer is `taken`: this caller's own change was not made.
   */
  private async close(id: string, attempt: number, ok: (t: TaskRecord) => boolean, intent: (t: TaskRecord) => CloseIntent): Promise<CloseOutcome> {
    const cur = await this.open.findById(id).lean<TaskRecord>();
    if (!cur || cur.attempt !== attempt || !ok(cur)) return 'taken';
    const planned = intent(cur);
    if (!(await this.claims.tryClaim(closeKey(id, attempt), 'close', planned))) {
      return (await this.replayLeftover(id, attempt)) === 'in-flight' ? 'in-flight' : 'taken';
    }
    await crashPoint('after-close-claim');
    await this.apply(cur._id, attempt, planned);
    return 'closed';
  }

  private async replayLeftover(id: string, attempt: number): Promise<CloseOutcome> {
    const claim = await this.claims.find(closeKey(id, attempt));
    if (!claim?.intent) return 'taken'; // no claim, or one from before intents were recorded
    if (Date.now() - new Date(claim.at).getTime() < CLOSE_IN_FLIGHT_MS) return 'in-flight';
    const cur = await this.open.findById(id).lean<TaskRecord>();
    if (!cur || cur.attempt !== attempt) return 'taken'; // the change landed
    await this.apply(cur._id, attempt, claim.intent);
    return 'closed';
  }

  /** Idempotent steps, each keyed on the attempt: replaying an intent twice changes nothing more. */
  private async apply(_id: Types.ObjectId, attempt: number, intent: CloseIntent): Promise<void> {
    if (intent.kind === 'archive') {
      // false: archived (and counted) by an earlier try that stopped before the delete.
      if (await this.archive.insert(intent.task)) await this.counters.recordEnded(intent.task);
      await crashPoint('mid-archive-move');
      await this.open.deleteOne(await this.deleteFilter(_id, attempt));
      return;
    }
    // Guarded by the attempt too: two replicas may replay one leftover intent at once.
    await this.updateGuarded(_id, { attempt }, {
      // requeuedAt: other replicas' dispatchers find the new attempt by it (findPendingSince).
      $set: { status: 'pending', attempt: attempt + 1, nodeId: null, assignedAt: null, ackedAt: null, startedAt: null, exitCode: null, error: null, requeuedAt: new Date() },
      $push: { attempts: intent.ended },
    });
  }
}

type CloseOutcome = 'closed' | 'taken' | 'in-flight';

/** A close of this attempt is being made right now elsewhere: the caller should retry shortly. */
export class CloseInFlightError extends Error {
  constructor(taskId: string, attempt: number) {
    super(`task ${taskId} attempt ${attempt} is being closed elsewhere; retry`);
  }
}
