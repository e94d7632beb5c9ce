import { TaskStatus, TERMINAL_STATUSES } from './task.types';

/**
 * Ended tasks of one spider (or of all, `ALL_SPIDERS`) on one UTC day, as counted by one master
 * replica: runs by status, and the summed duration of the runs that started. Summed over the
 * replicas on read.
 */
export type DayCounts = { byStatus: Record<string, number>; durationMs: number; timedRuns: number };

/** The pseudo spider id whose daily documents count every spider's tasks (the overview's "today"). */
export const ALL_SPIDERS = '_all';

/** How many days back a read may go: the Stats tab's longest range. */
export const MAX_STAT_DAYS = 30;

export const emptyDay = (): DayCounts => ({ byStatus: {}, durationMs: 0, timedRuns: 0 });

/** `yyyy-mm-dd` of `ms`, UTC. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The `n` days ending with the day of `nowMs`, oldest first. */
export function lastDays(nowMs: number, n: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(dayOf(nowMs - i * 86_400_000));
  return out;
}

/** A daily document's `_id`: spider, day and the replica that alone writes it. */
export function dailyId(spiderId: string, day: string, replicaId: string): string {
  return `${spiderId}:${day}:${replicaId}`;
}

type Ended = { status: TaskStatus; startedAt: Date | null; finishedAt: Date | null };

/** Adds one ended task to a day's counts (a task that never reached an end status adds nothing). */
export function applyDay(c: DayCounts, t: Ended, nowMs: number): void {
  if (!TERMINAL_STATUSES.includes(t.status)) return;
  c.byStatus[t.status] = (c.byStatus[t.status] ?? 0) + 1;
  if (t.startedAt) {
    const end = t.finishedAt ? new Date(t.finishedAt).getTime() : nowMs;
    c.durationMs += Math.max(0, end - new Date(t.startedAt).getTime());
    c.timedRuns += 1;
  }
}

/** Several replicas' counts of the same day, summed. */
export function sumDays(all: DayCounts[]): DayCounts {
  const out = emptyDay();
  for (const c of all) {
    for (const [k, v] of Object.entries(c.byStatus ?? {})) out.byStatus[k] = (out.byStatus[k] ?? 0) + v;
    out.durationMs += c.durationMs ?? 0;
    out.timedRuns += c.timedRuns ?? 0;
  }
  return out;
}
