import type { TaskRecord } from './task.types';

/**
 * Facts libs/task reports as they are recorded, for whoever wants to act on them (notifications).
 * Optional: without a provider nothing is called. `taskEnded` runs inside the close of an
 * attempt, before the ended task leaves `tasks`, and again when a close cut by a crash is
 * replayed: an implementation must be idempotent (keyed on task id and attempt) and quick.
 */
export interface TaskEventsSink {
  taskEnded(task: TaskRecord): Promise<void>;
  scheduleMissed(fact: { scheduleId: string; tick: Date; error: string }): Promise<void>;
}

export const TASK_EVENTS_SINK = Symbol('TASK_EVENTS_SINK');
