import type { AttemptRecord } from './task.types';

type RetryState = { attempt: number; maxRetries: number; attempts?: Pick<AttemptRecord, 'handedBack'>[] };

/**
 * Retries a task has used: its earlier attempts, less those a worker handed back when it shut
 * down (not the task's fault, so they cost no retry).
 */
export function retriesUsed(t: RetryState): number {
  const handedBack = (t.attempts ?? []).filter((a) => a.handedBack).length;
  return Math.max(0, t.attempt - 1 - handedBack);
}

/** Whether an attempt that ended abnormally (orphaned, fenced) may run again: a retry is left. */
export function mayRetry(t: RetryState): boolean {
  return retriesUsed(t) < t.maxRetries;
}
