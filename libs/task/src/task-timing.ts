import type { TaskStatus } from './task.types';

/** TERMINAL_STATUSES of task.types, which imports this file. */
const ENDED: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['finished', 'error', 'cancelled', 'abnormal']);

/** The times of a task's current attempt that its duration figures come from. */
export type TimedTask = {
  status: TaskStatus;
  assignedAt: Date | string | null;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
};

/**
 * How long the current attempt took, in the three figures the API shows:
 * - `durationMs`: from its assignment to a node until it ended (or until `now` while it is
 *   assigned or running), so the file sync and the environment build count;
 * - `prepareMs`: the part before the command started (sync, environment build, the start
 *   itself); the whole duration when it ended before starting (a failed build, a cancel);
 * - `runMs`: from the command's start.
 * null where the attempt has not reached that point (pending: every figure is null).
 */
export type TaskTiming = { durationMs: number | null; prepareMs: number | null; runMs: number | null };

const ms = (d: Date | string | null): number | null => {
  if (d === null || d === undefined) return null;
  const t = new Date(d).getTime();
  return Number.isNaN(t) ? null : t;
};

export function taskTiming(t: TimedTask, now: number): TaskTiming {
  const assigned = ms(t.assignedAt);
  const started = ms(t.startedAt);
  // Tasks stored before assignments were recorded: the start is the earliest time known.
  const from = assigned ?? started;
  const terminal = ENDED.has(t.status);
  const end = terminal ? ms(t.finishedAt) : t.status === 'pending' ? null : now;
  if (from === null || end === null) return { durationMs: null, prepareMs: null, runMs: null };
  const span = (a: number, b: number) => Math.max(0, b - a);
  return {
    durationMs: span(from, end),
    prepareMs: assigned === null ? null : span(assigned, started ?? end),
    runMs: started === null ? null : span(started, end),
  };
}
