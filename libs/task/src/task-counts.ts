import { TaskStatus, TERMINAL_STATUSES } from './task.types';

/**
 * Counts of ended tasks, kept by each master replica for what it did itself (it closed a
 * task: +1; retention removed one: -1) and summed over replicas on read. Each replica
 * writes only its own document, so FerretDB's read-then-write updates lose nothing.
 */
export type EndedCounts = Record<string, number>;
export type MinuteCounts = { m: number } & EndedCounts;
export type ReplicaCounts = {
  ended: EndedCounts;
  bySpider: Record<string, EndedCounts>;
  byNode: Record<string, EndedCounts>;
  /** Tasks ended per minute (epoch minute `m`), the last ACTIVITY_MINUTES minutes. */
  minutes: MinuteCounts[];
};

export const ACTIVITY_MINUTES = 60;

export function emptyCounts(): ReplicaCounts {
  return { ended: {}, bySpider: {}, byNode: {}, minutes: [] };
}

type Ended = { status: TaskStatus; spiderId: string; nodeId: string | null };

function bump(map: EndedCounts, status: string, by: number): void {
  map[status] = (map[status] ?? 0) + by;
  if (map[status] === 0) delete map[status];
}

/** Adds (`by` = 1) or removes (`by` = -1) ended tasks from the counts. */
export function applyEnded(c: ReplicaCounts, tasks: Ended[], by: 1 | -1): void {
  for (const t of tasks) {
    if (!TERMINAL_STATUSES.includes(t.status)) continue;
    bump(c.ended, t.status, by);
    bump((c.bySpider[t.spiderId] ??= {}), t.status, by);
    if (Object.keys(c.bySpider[t.spiderId]).length === 0) delete c.bySpider[t.spiderId];
    if (t.nodeId) {
      bump((c.byNode[t.nodeId] ??= {}), t.status, by);
      if (Object.keys(c.byNode[t.nodeId]).length === 0) delete c.byNode[t.nodeId];
    }
  }
}

/** Counts a task that ended at `nowMs` in its minute, and forgets minutes past the window. */
export function applyActivity(c: ReplicaCounts, status: TaskStatus, nowMs: number): void {
  const m = Math.floor(nowMs / 60_000);
  let row = c.minutes.find((r) => r.m === m);
  if (!row) {
    row = { m };
    c.minutes.push(row);
  }
  row[status] = (row[status] ?? 0) + 1;
  c.minutes = c.minutes.filter((r) => r.m > m - ACTIVITY_MINUTES);
}

/** Sum of every replica's counts. */
export function sumCounts(all: ReplicaCounts[]): ReplicaCounts {
  const out = emptyCounts();
  const add = (into: EndedCounts, from: EndedCounts) => {
    for (const [k, v] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + v;
  };
  for (const c of all) {
    add(out.ended, c.ended);
    for (const [id, e] of Object.entries(c.bySpider ?? {})) add((out.bySpider[id] ??= {}), e);
    for (const [id, e] of Object.entries(c.byNode ?? {})) add((out.byNode[id] ??= {}), e);
    for (const r of c.minutes ?? []) {
      let row = out.minutes.find((x) => x.m === r.m);
      if (!row) out.minutes.push((row = { m: r.m }));
      for (const [k, v] of Object.entries(r)) if (k !== 'm') row[k] = (row[k] ?? 0) + v;
    }
  }
  return out;
}

/** Ended tasks in `counts` with `status` (any terminal one when omitted). */
export function endedTotal(counts: EndedCounts | undefined, status?: string): number {
  if (!counts) return 0;
  if (status) return counts[status] ?? 0;
  return TERMINAL_STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);
}
