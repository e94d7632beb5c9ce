import type { AttemptRecord, TaskRecord } from '../task.types';

/**
 * What closing an attempt will do, recorded in its close claim (`close:<taskId>:<attempt>`)
 * by the same insert that wins the claim:
 * - `archive`: the ended task as it goes to `task_archive`, then out of `tasks`;
 * - `requeue`: the attempt's record, then the task back to pending as attempt + 1.
 * Both steps are idempotent and keyed on the attempt, so replaying an intent after a crash
 * between them (or twice) lands in the same state.
 */
export type CloseIntent = { kind: 'archive'; task: TaskRecord } | { kind: 'requeue'; ended: AttemptRecord };

export const closeKey = (taskId: string, attempt: number): string => `close:${taskId}:${attempt}`;

/**
 * A close claim younger than this is taken to be in flight (its winner is between steps
 * right now); older, its winner is presumed dead and any replica finishes the change.
 */
export const CLOSE_IN_FLIGHT_MS = 1000;
