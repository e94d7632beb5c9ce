import type { TaskRecord } from '../task.types';

/** Attempts remembered at most (oldest forgotten first): far above any cluster's runner slots. */
const MAX_REMEMBERED = 20_000;

/**
 * The open copy of each attempt this replica saw start, as its start write left it. After the
 * start, the only writes an attempt's `tasks` document gets are the closes (ended, cancelled,
 * re-queued), and each close first takes the attempt's close claim. So a close made here can
 * plan from this copy instead of reading the document again: if the copy is out of date, the
 * attempt was closed, the claim is taken, and this close loses it exactly as it would after a
 * read. The copy saves the worker's final report one read per task; it decides nothing alone.
 */
export class StartedCopies {
  private readonly byAttempt = new Map<string, TaskRecord>();

  constructor(private readonly max = MAX_REMEMBERED) {}

  remember(t: TaskRecord): void {
    const key = keyOf(String(t._id), t.attempt);
    this.byAttempt.delete(key);
    this.byAttempt.set(key, t);
    if (this.byAttempt.size > this.max) this.byAttempt.delete(this.byAttempt.keys().next().value as string);
  }

  get(taskId: string, attempt: number): TaskRecord | undefined {
    return this.byAttempt.get(keyOf(taskId, attempt));
  }

  forget(taskId: string, attempt: number): void {
    this.byAttempt.delete(keyOf(taskId, attempt));
  }

  get size(): number {
    return this.byAttempt.size;
  }
}

const keyOf = (taskId: string, attempt: number): string => `${taskId}:${attempt}`;
