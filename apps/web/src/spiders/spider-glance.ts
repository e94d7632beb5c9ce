import type { Schedule, Task } from '../api/types';

/** Per spider: its newest task among `recent` (newest first) and its next scheduled run. */
export function spiderGlance(recent: readonly Task[], schedules: readonly Schedule[]): { last: Map<string, Task>; next: Map<string, string> } {
  const last = new Map<string, Task>();
  for (const t of recent) if (!last.has(t.spiderId)) last.set(t.spiderId, t);
  const next = new Map<string, string>();
  for (const s of schedules) {
    if (!s.enabled || !s.nextRunAt) continue;
    const cur = next.get(s.spiderId);
    if (!cur || Date.parse(s.nextRunAt) < Date.parse(cur)) next.set(s.spiderId, s.nextRunAt);
  }
  return { last, next };
}
