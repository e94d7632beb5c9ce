import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { Connection, Model, Types, UpdateQuery } from 'mongoose';
import { TASK_MODEL, TASK_QUEUE_MODEL } from '../task.schema';
import { AttemptRecord, TaskRecord, TaskStatus, TERMINAL_STATUSES } from '../task.types';
import { BatchedWrites, DbFlavor, insertOutcomes, isDuplicateKeyError } from '@crawlnest/node';
import { ClaimRepository } from './claim.repository';
import { crashPoint } from './crash-point';
import { CLOSE_IN_FLIGHT_MS, closeKey, CloseIntent } from './close-intent';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { Guard } from './guarded-update';
import { StartedCopies } from './started-copies';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { TASK_EVENTS_SINK, TaskEventsSink } from '../task-events.sink';

/**
 * One tiny document per replica: when it last queued tasks. Other replicas' dispatchers read
 * these before reading the queue for tasks they did not create: the queue read filters on
 * `_id` ranges, which FerretDB serves by scanning the whole backlog, so it is skipped when no
 * other replica queued anything since the last read.
 */
const QUEUE_MARKS = 'task_queue_marks';
/**
 * Queue copies of dispatched tasks are deleted together this often. On FerretDB a delete by
 * `_id` scans the queue inside SQLite (about 68 ms at 10k waiting) and one `$in` delete scans
 * it once (about 450 ms): batched, the backlog is scanned once per sweep, not once per task.
 */
const QUEUE_SWEEP_MS = 2000;
/**
 * A sweep holds SQLite's one write lock for its whole scan, so at a big backlog it waits at
 * least ten times its own duration before the next one (at most 10 s): the sweeps' share of
 * the database stays under a tenth. Only other replicas' views see a moved copy meanwhile.
 */
const QUEUE_SWEEP_SHARE = 10;
const QUEUE_SWEEP_MAX_MS = 10_000;

export type NewTask = Omit<TaskRecord, '_id'>;

/**
 * A created task waits in `task_queue`; dispatch moves it to `tasks` (assigned, then
 * running; a re-queued attempt waits there too), and once ended it moves to the hourly
 * archive (TaskArchiveRepository). Each move inserts at the destination before it deletes at
 * the source, so a task is never lost; where a crash leaves two copies, the later stage wins
 * (archive, then `tasks`, then the queue) and the stale copy is deleted when next read. Every change that closes an attempt (it ended, was cancelled,
 * declared abnormal, re-queued) first claims `close:<taskId>:<attempt>` by insert, so exactly
 * one actor closes it, on FerretDB (no atomic conditional update) as on MongoDB. The claim
 * records the change (close-intent.ts), so a crash between the claim and the change leaves
 * nothing half-done: whoever next touches the attempt finishes it.
 */
@Injectable()
export class TaskRepository implements OnModuleDestroy {
  /** Ids moved from the queue to `tasks` here whose queue copy the next sweep deletes; this replica's reads skip them. */
  private readonly movedOut = new Set<string>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepDelayMs = QUEUE_SWEEP_MS;
  /** Attempts started here, as their start left them: a close made here plans from the copy (started-copies.ts). */
  private readonly started = new StartedCopies();

  constructor(
    @InjectModel(TASK_MODEL) private readonly open: Model<TaskRecord>,
    @InjectModel(TASK_QUEUE_MODEL) private readonly queue: Model<TaskRecord>,
    private readonly archive: TaskArchiveRepository,
    private readonly counters: TaskCountersService,
    private readonly claims: ClaimRepository,
    private readonly flavor: DbFlavor,
    @InjectConnection() private readonly conn: Connection,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: Pick<TaskMasterOptions, 'replicaId'>,
    @Optional() @Inject(TASK_EVENTS_SINK) private readonly events: TaskEventsSink | null = null,
  ) {}

  /** Creates arriving while an insert is in flight go out together in the next one (BatchedWrites). */
  private readonly inserts = new BatchedWrites<NewTask, TaskRecord>(async (tasks) => {
    // Ids from the archive: they name where each task's ended copy will live (archive-shelf.ts).
    const ids = await this.archive.newIds(tasks.length);
    const docs = await this.queue.insertMany(tasks.map((t, i) => ({ ...t, _id: ids[i] })));
    // After the insert: a replica that sees the mark finds the tasks (see findPendingSince).
    await this.marks().replaceOne({ _id: this.opts.replicaId }, { at: new Date() }, { upsert: true });
    return docs.map((d) => d.toObject<TaskRecord>());
  });

  /**
   * Moves into `tasks` (markAssigned) asked for while one is in flight go out together, an
   * unordered insertMany: one command for the assignments of a dispatch pass. Per document:
   * inserted, already there (duplicate `_id`), or failed (insert-outcomes.ts).
   */
  private readonly moves = new BatchedWrites<TaskRecord, boolean | Error>(async (docs) => {
    try {
      // Cast and defaulted by the schema as Model.insertMany would; sent raw for the per-document outcome.
      await this.open.collection.insertMany(docs.map((d) => new this.open(d).toObject()) as never[], { ordered: false });
      return docs.map(() => true);
    } catch (err) {
      return insertOutcomes(err, docs.length);
    }
  });

  /** A graceful stop deletes what it moved; a crash leaves copies that reads drop (see the class comment). */
  async onModuleDestroy(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
    if (this.movedOut.size) await this.sweepQueue().catch(() => undefined);
  }

  private queueDeleteLater(id: string): void {
    this.movedOut.add(id);
    this.scheduleSweep();
  }

  /** One sweep at a time; ids moved meanwhile (or a failed sweep's) go with the next. */
  private scheduleSweep(): void {
    if (this.sweepTimer || this.sweeping || this.movedOut.size === 0) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweeping = this.sweepQueue()
        .catch(() => undefined)
        .finally(() => {
          this.sweeping = null;
          this.scheduleSweep();
        });
    }, this.sweepDelayMs);
    this.sweepTimer.unref();
  }

  private async sweepQueue(): Promise<void> {
    const ids = [...this.movedOut];
    const t0 = Date.now();
    await this.queue.deleteMany({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } });
    this.sweepDelayMs = Math.min(QUEUE_SWEEP_MAX_MS, Math.max(QUEUE_SWEEP_MS, (Date.now() - t0) * QUEUE_SWEEP_SHARE));
    for (const id of ids) this.movedOut.delete(id);
  }

  /**
   * Queue copies this replica already moved out (deleted by the next sweep) are not waiting.
   * `moved` defaults to the ids moved by now; a caller that also reads `tasks` passes the ids
   * moved before its reads began (see findOpen).
   */
  private stillQueued(queued: TaskRecord[], moved: ReadonlySet<string> = this.movedOut): TaskRecord[] {
    return moved.size ? queued.filter((t) => !moved.has(String(t._id))) : queued;
  }

  private marks() {
    const db = this.conn.db;
    if (!db) throw new Error('database connection is not open');
    return db.collection<{ _id: string; at: Date }>(QUEUE_MARKS);
  }

  async insertMany(tasks: NewTask[]): Promise<TaskRecord[]> {
    return this.inserts.push(tasks);
  }

  /** By `_id` in the archive hour, `tasks` and the queue; the later stage wins. */
  async findById(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [ended, open, queued] = await Promise.all([this.archive.findById(id), this.open.findById(id).lean<TaskRecord>(), this.queue.findById(id).lean<TaskRecord>()]);
    // A queue copy left by a move cut short (crash between insert and delete) goes like a moved one's: out of reads now, swept later.
    if (queued && (ended || open)) this.queueDeleteLater(String(queued._id));
    return ended ?? open ?? queued;
  }

  /**
   * By `_id` for a reader that only shows the task (the REST API): the archive hour and `tasks`
   * first, the queue only when neither holds it. The answer is the same as findById's (the later
   * stage wins), but an ended task does not pay for the queue read: on FerretDB a miss by `_id`
   * scans the whole queue (about 130 ms at 10k waiting), whatever the history size. A stale
   * queue copy is left to findById's readers (the dispatcher), which delete it.
   */
  async findForView(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const [ended, open] = await Promise.all([this.archive.findById(id), this.open.findById(id).lean<TaskRecord>()]);
    if (ended || open) return ended ?? open;
    const queued = await this.queue.findById(id).lean<TaskRecord>();
    // Not queued either: it may have ended between the reads (archived, then deleted from `tasks`).
    return queued ?? (await this.archive.findById(id));
  }

  /**
   * By `_id`, open collection first and the archive only on a miss: one read for a task in
   * flight, the hot case of worker reports and the stale-run check. A task caught mid-close
   * (archived, not yet deleted) reads as still open here; those callers re-check anyway.
   */
  async findLive(id: string): Promise<TaskRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return (await this.open.findById(id).lean<TaskRecord>()) ?? (await this.archive.findById(id)) ?? this.queue.findById(id).lean<TaskRecord>();
  }

  /** Every open task: `tasks` and the queue (a scan of each); callers decide in memory. */
  async findOpen(): Promise<TaskRecord[]> {
    return this.readOpen(true);
  }

  /**
   * `tasks` and the queue. With `keepMovedDuring`, a queue copy of a task moved while the reads
   * ran is kept (a list must not lose it); without, every copy this replica moved is dropped
   * (the pending reads: a moved task is not pending, wherever the reads caught it).
   */
  private async readOpen(keepMovedDuring: boolean): Promise<TaskRecord[]> {
    // Only ids moved before the reads began are surely in the `tasks` read: a task moved while
    // it ran could be missing from that read, so its queue copy is kept (withoutMoved drops the
    // copy when the `tasks` read has the task too). Filtering by the ids moved by the end lost
    // such a task from a list page (the task-history cursor-walk test caught it once in CI).
    // The queue is read before `tasks`, the later stage: a task whose copy was swept before the
    // queue read had been inserted into `tasks` before that, so the `tasks` read has it.
    const movedBefore = new Set(this.movedOut);
    const queued = await this.queue.find({}).lean<TaskRecord[]>();
    const open = await this.open.find({}).lean<TaskRecord[]>();
    return withoutMoved(open, this.stillQueued(queued, keepMovedDuring ? movedBefore : this.movedOut));
  }

  /** The assigned and running tasks: the reconcile pass's read (bounded by the cluster's runner slots, not the backlog). */
  async findActive(): Promise<TaskRecord[]> {
    return this.open.find({ status: { $in: ['assigned', 'running'] } }).lean<TaskRecord[]>();
  }

  /** Every pending task: the dispatcher's rare full resync (a scan on FerretDB). */
  async findPending(): Promise<TaskRecord[]> {
    return (await this.readOpen(false)).filter((t) => t.status === 'pending');
  }

  /**
   * Pending tasks created (by `_id` time) or re-queued since `since`: the dispatcher's
   * incremental read of what other replicas queued. Its answer is bounded by what was queued
   * in the window, not by the backlog; on MongoDB both branches use an index.
   */
  async findPendingSince(since: Date): Promise<TaskRecord[]> {
    const idFloor = Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000));
    // Tasks this replica created are in its pool already; others' only if another replica queued since.
    const othersQueued = (await this.marks().find({}).toArray()).some((m) => m._id !== this.opts.replicaId && m.at >= since);
    const [queued, requeued] = await Promise.all([
      othersQueued ? this.queue.find({ _id: { $gte: idFloor } }).lean<TaskRecord[]>() : Promise.resolve([]),
      this.open.find({ status: 'pending', $or: [{ _id: { $gte: idFloor } }, { requeuedAt: { $gte: since } }] }).lean<TaskRecord[]>(),
    ]);
    return [...requeued, ...this.stillQueued(queued)];
  }

  /**
   * Guarded by the attempt's dispatch claim, which this replica holds: a cancel or expiry of a
   * waiting attempt takes that same claim, so the only other writer is a close of an attempt
   * whose claim holder looked dead (the ack-timeout re-queue).
   *
   * A created task (`t` as read from the queue, which never changes it) moves: inserted into
   * `tasks` as assigned; its queue copy is deleted by the next sweep (QUEUE_SWEEP_MS). A re-queued attempt already waits in
   * `tasks` and is updated there under a filter that keeps a closed attempt closed (on
   * FerretDB a small scan of `tasks`, see guarded-update.ts).
   */
  async markAssigned(t: TaskRecord, nodeId: string, spiderVersion: number): Promise<boolean> {
    const _id = new Types.ObjectId(String(t._id));
    const set = { status: 'assigned' as const, nodeId, spiderVersion, assignedAt: new Date(), ackedAt: null };
    if (t.attempt === 1 && !t.requeuedAt) {
      const [moved] = await this.moves.push([{ ...t, ...set }]);
      if (moved instanceof Error) throw moved;
      if (moved) {
        await crashPoint('mid-queue-move');
        this.queueDeleteLater(String(_id));
        return true;
      }
      // Already in `tasks`: moved by an earlier try (its insert landed though its answer was
      // lost, as in a database outage), or put there directly; update it there. Its queue copy
      // is stale either way and goes like a moved one's: dropped from reads now and swept,
      // instead of counting as pending once the task has ended.
      this.queueDeleteLater(String(_id));
    }
    return (await this.open.updateOne({ _id, attempt: t.attempt, status: 'pending' }, { $set: set })).matchedCount === 1;
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
    const started = { ...set, status: 'running' as const };
    const before = await this.updateGuarded(new Types.ObjectId(id), { attempt, nodeId, status: 'assigned' }, { $set: started });
    if (before) this.started.remember({ ...before, ...started });
    return before;
  }

  /**
   * When this replica's start write found attempt `attempt` current on `nodeId` (ms), while
   * no close of it was made here since: a check of the attempt the stale-run reaper need not
   * repeat before its own recheck interval. undefined otherwise.
   */
  startConfirmedAt(taskId: string, attempt: number, nodeId: string): number | undefined {
    const c = this.started.get(taskId, attempt);
    return c && c.nodeId === nodeId && c.startedAt ? new Date(c.startedAt).getTime() : undefined;
  }

  /**
   * `update` applied while `guard` holds, the guard in the filter of one findOneAndUpdate
   * (guarded-update.ts): atomic on MongoDB; on FerretDB a read then a write inside one command,
   * a scan of `tasks`, which holds only open attempts. Answers the task as it was just before
   * the write, or null when the guard did not hold.
   */
  private async updateGuarded(_id: Types.ObjectId, guard: Guard, update: UpdateQuery<TaskRecord>): Promise<TaskRecord | null> {
    return this.open.findOneAndUpdate({ _id, ...guard }, update, { returnDocument: 'before' }).lean<TaskRecord>();
  }

  /**
   * Deletes of archived attempts from `tasks`, batched: closes landing while a delete is in
   * flight go out together in the next one (BatchedWrites), one command instead of one per
   * task. Each close still returns only after its own delete landed. Each delete is guarded by
   * its close claim and a repeated one changes nothing, so FerretDB gets the `_id`s alone (an
   * `$in`, a scan of `tasks`, which holds only open attempts); MongoDB keeps the attempt as a
   * second check (one `{_id, attempt}` pair per task, served by the `_id` index).
   */
  private readonly openDeletes = new BatchedWrites<{ _id: Types.ObjectId; attempt: number }, void>(async (items) => {
    if (items.length === 1 && (await this.flavor.isFerretDb())) await this.open.deleteOne({ _id: items[0]._id });
    else if (await this.flavor.isFerretDb()) await this.open.deleteMany({ _id: { $in: items.map((i) => i._id) } });
    else await this.open.deleteMany({ $or: items.map((i) => ({ _id: i._id, attempt: i.attempt })) });
    return items.map(() => undefined);
  });

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
    // An attempt started here is planned from its copy: a stale copy means the attempt was closed, and the claim below is lost.
    const copy = this.started.get(id, attempt);
    const cur: Located | null = copy ? { ...copy, queued: false } : await this.current(id);
    if (!cur || cur.attempt !== attempt || !ok(cur)) return 'taken';
    const planned = intent(cur);
    if (!(await this.claims.tryClaim(closeKey(id, attempt), 'close', planned))) {
      this.started.forget(id, attempt); // closed, or being closed, elsewhere
      return (await this.replayLeftover(id, attempt)) === 'in-flight' ? 'in-flight' : 'taken';
    }
    this.started.forget(id, attempt);
    await crashPoint('after-close-claim');
    await this.apply(cur, attempt, planned, true);
    return 'closed';
  }

  /** The task's open copy: in `tasks`, else waiting in the queue (marked `queued`). */
  private async current(id: string): Promise<Located | null> {
    const open = await this.open.findById(id).lean<TaskRecord>();
    if (open) return { ...open, queued: false };
    const queued = await this.queue.findById(id).lean<TaskRecord>();
    return queued ? { ...queued, queued: true } : null;
  }

  private async replayLeftover(id: string, attempt: number): Promise<CloseOutcome> {
    const claim = await this.claims.find(closeKey(id, attempt));
    if (!claim?.intent) return 'taken'; // no claim, or one from before intents were recorded
    if (Date.now() - new Date(claim.at).getTime() < CLOSE_IN_FLIGHT_MS) return 'in-flight';
    const cur = await this.current(id);
    if (!cur || cur.attempt !== attempt) return 'taken'; // the change landed
    await this.apply(cur, attempt, claim.intent, false);
    return 'closed';
  }

  /** Idempotent steps, each keyed on the attempt: replaying an intent twice changes nothing more. */
  private async apply(cur: Located, attempt: number, intent: CloseIntent, first: boolean): Promise<void> {
    const _id = cur._id;
    if (intent.kind === 'archive') {
      const id = String(_id);
      // Counted before the insert (TaskCountersService.countEnded): a close cut between the two
      // is replayed with its count already made. A replay counts only a task nobody counted;
      // an insert that finds the task archived means an earlier try counted it first.
      if (first) await this.counters.countEnded(intent.task);
      // Its outbox write lands before the open copy goes: a crash in between is replayed (idempotent).
      const [inserted] = await Promise.all([this.archive.insert(intent.task), this.events?.taskEnded(intent.task)]);
      if (!first && inserted && !(await this.counters.wasCounted(id))) await this.counters.countEnded(intent.task);
      this.counters.settled(id);
      await crashPoint('mid-archive-move');
      if (cur.queued) await this.queue.deleteOne({ _id });
      else await this.openDeletes.push([{ _id, attempt }]);
      return;
    }
    // requeuedAt: other replicas' dispatchers find the new attempt by it (findPendingSince).
    const next = { status: 'pending' as const, attempt: attempt + 1, nodeId: null, assignedAt: null, ackedAt: null, startedAt: null, exitCode: null, error: null, requeuedAt: new Date() };
    if (cur.queued) {
      // Never dispatched (its claim holder died first): the next attempt waits in `tasks`.
      const { queued: _queued, ...task } = cur;
      try {
        await this.open.insertMany([{ ...task, ...next, attempts: [...(task.attempts ?? []), intent.ended] }]);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // inserted by an earlier try
      }
      await this.queue.deleteOne({ _id });
      return;
    }
    // Guarded by the attempt too: two replicas may replay one leftover intent at once.
    await this.updateGuarded(_id, { attempt }, { $set: next, $push: { attempts: intent.ended } });
  }
}

/** An open task and where it waits. */
type Located = TaskRecord & { queued: boolean };

/** Queue copies of tasks that already moved to `tasks` are stale: the `tasks` copy stands. */
function withoutMoved(open: TaskRecord[], queued: TaskRecord[]): TaskRecord[] {
  const moved = new Set(open.map((t) => String(t._id)));
  return [...open, ...queued.filter((t) => !moved.has(String(t._id)))];
}

type CloseOutcome = 'closed' | 'taken' | 'in-flight';

/** A close of this attempt is being made right now elsewhere: the caller should retry shortly. */
export class CloseInFlightError extends Error {
  constructor(taskId: string, attempt: number) {
    super(`task ${taskId} attempt ${attempt} is being closed elsewhere; retry`);
  }
}
