import { Schema } from 'mongoose';
import { TASK_MODES, TASK_STATUSES } from './task.types';

export const TASK_MODEL = 'Task';
export const TASK_QUEUE_MODEL = 'TaskQueue';
export const TASK_ARCHIVE_MODEL = 'TaskArchive';
export const TASK_CLAIM_MODEL = 'TaskClaim';
export const TASK_LOG_MODEL = 'TaskLog';

const PairSchema = new Schema({ key: String, value: String }, { _id: false });

export const TaskSchema = new Schema(
  {
    spiderId: { type: String, required: true, index: true },
    spiderVersion: { type: Number, default: 0 },
    cmd: { type: String, required: true },
    param: { type: String, default: '' },
    mode: { type: String, enum: TASK_MODES, required: true },
    nodeIds: { type: [String], default: [] },
    labels: { type: [PairSchema], default: [] },
    env: { type: [PairSchema], default: [] },
    priority: { type: Number, default: 5 },
    status: { type: String, enum: TASK_STATUSES, default: 'pending', index: true },
    nodeId: { type: String, default: null, index: true },
    attempt: { type: Number, default: 1 },
    maxRetries: { type: Number, default: 0 },
    timeoutSec: { type: Number, default: 0 },
    // SIGTERM → SIGKILL grace on cancel/timeout; 0: the worker's CRAWLNEST_KILL_GRACE_MS.
    killGraceSec: { type: Number, default: 0 },
    exitCode: { type: Number, default: null },
    error: { type: String, default: null },
    createdAt: { type: Date, required: true },
    assignedAt: { type: Date, default: null },
    ackedAt: { type: Date, default: null },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    // When the current attempt went back to pending (absent before a first re-queue).
    requeuedAt: { type: Date, default: null },
    scheduleId: { type: String, default: null },
    scheduledFor: { type: Date, default: null },
    parentId: { type: String, default: null },
    attempts: {
      type: [new Schema({ attempt: Number, nodeId: String, status: String, error: String, at: Date, handedBack: Boolean }, { _id: false })],
      default: [],
    },
    sync: {
      type: new Schema(
        { filesTotal: Number, filesTransferred: Number, bytesTransferred: Number, filesDeleted: Number, durationMs: Number },
        { _id: false },
      ),
      default: null,
    },
    environment: {
      type: new Schema({ keys: [String], cached: Boolean, buildMs: Number }, { _id: false }),
      default: null,
    },
    // The ending attempt's items as its worker was answered (stored, duplicates, rejected).
    attemptResults: {
      type: new Schema({ stored: Number, duplicates: Number, rejected: Number }, { _id: false }),
      default: null,
    },
  },
  { collection: 'tasks', versionKey: false },
);
TaskSchema.index({ status: 1, priority: -1, createdAt: 1 });
// The dispatcher's incremental read of re-queued tasks (findPendingSince); sparse: most tasks never are.
TaskSchema.index({ requeuedAt: 1 }, { sparse: true });

/**
 * Created tasks wait in `task_queue` until dispatched: only inserted into, read whole or by
 * `_id`, and deleted by `_id` when the task moves to `tasks` (assigned) or is closed while
 * still waiting. So a backlog of thousands never sits in `tasks`, whose every write and read
 * by `_id` costs FerretDB a scan of the collection (docs/dispatch.md).
 */
export const TaskQueueSchema = TaskSchema.clone();
TaskQueueSchema.set('collection', 'task_queue');

/**
 * Ended tasks move from `tasks` to `task_archive`. `tasks` then holds only open tasks, the
 * ones every dispatch and reconcile pass reads and every report writes: on FerretDB an update
 * or status query scans the whole collection, so keeping it small keeps them fast.
 */
export const TaskArchiveSchema = TaskSchema.clone();
TaskArchiveSchema.set('collection', 'task_archive');
TaskArchiveSchema.index({ spiderId: 1, createdAt: -1 });

/**
 * Claims: `_id` names what is claimed (`<taskId>:<attempt>`, `requeue:<taskId>:<attempt>`…).
 * Inserting is atomic on FerretDB and MongoDB alike; a duplicate key means another replica won.
 */
export const TaskClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'task_claims', versionKey: false },
);

/**
 * Log lines are stored a batch per document, `_id` `<taskId>:<attempt>:<firstSeq>`, holding
 * the contiguous lines `from..to` packed in one string (log-batch-codec.ts; batches stored
 * before packing have `lines`). Batches never cross a stride of 1000 lines and live in the
 * size-bounded log tables of the task's hour; the hour collection holds the stride marks that
 * name those tables (TaskLogRepository). A resent batch hits the duplicate key and only its
 * lines past the stored `to` are inserted, so nothing is duplicated or lost.
 */
export const TaskLogSchema = new Schema(
  {
    _id: { type: String, required: true },
    taskId: { type: String, required: true },
    attempt: { type: Number, required: true },
    from: { type: Number, required: true },
    to: { type: Number, required: true },
    packed: { type: String },
    lines: { type: [new Schema({ seq: Number, ts: Date, stream: String, text: String }, { _id: false })], default: undefined },
  },
  { collection: 'task_log_batches', versionKey: false },
);
TaskLogSchema.index({ taskId: 1, attempt: 1, from: 1 });

export const SCHEDULE_MODEL = 'Schedule';

export const ScheduleSchema = new Schema(
  {
    spiderId: { type: String, required: true, index: true },
    cron: { type: String, required: true },
    mode: { type: String, enum: TASK_MODES, default: 'random' },
    nodeIds: { type: [String], default: [] },
    labels: { type: [PairSchema], default: [] },
    param: { type: String, default: null },
    cmd: { type: String, default: null },
    priority: { type: Number, default: 5 },
    enabled: { type: Boolean, default: true },
    timezone: { type: String, default: 'UTC' },
    catchUp: { type: String, enum: ['none', 'latest'], default: 'none' },
    activeSince: { type: Date },
    createdAt: { type: Date, required: true },
  },
  { collection: 'schedules', versionKey: false },
);

export const SCHEDULE_STATE_MODEL = 'ScheduleState';

/** Tick bookkeeping, one document per schedule (`_id` = schedule id), written only by ticks. */
export const ScheduleStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    lastTickAt: { type: Date, required: true },
  },
  { collection: 'schedule_states', versionKey: false },
);
