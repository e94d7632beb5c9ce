import type { ControlSession } from '@crawlnest/node';
import type { TaskRecord } from '../task.types';

/**
 * Finds tasks the database shows assigned or running on a node whose worker, connected to
 * this replica, has not listed them in any heartbeat for `graceMs` (heartbeats having
 * arrived meanwhile). The worker keeps a run listed until its final report is answered, so
 * such a run is not anywhere: a crash between a close's steps, or a report lost with a
 * database outage. Keeps per-attempt "missing since" clocks in memory.
 */
export class UnheldRunDetector {
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  unheld(open: TaskRecord[], sessionOf: (nodeId: string) => ControlSession | undefined, now: number): TaskRecord[] {
    const out: TaskRecord[] = [];
    const seen = new Set<string>();
    for (const t of open) {
      if (!t.nodeId || (t.status !== 'running' && !(t.status === 'assigned' && t.ackedAt))) continue;
      const s = sessionOf(t.nodeId);
      if (!s) continue; // another replica holds the stream, or the node is offline (orphan grace)
      const key = `${String(t._id)}:${t.attempt}`;
      if (s.running.some((r) => r.taskId === String(t._id) && r.attempt === t.attempt) || assignedSinceHeartbeat(t, s)) continue;
      seen.add(key);
      const since = this.missingSince.get(key);
      if (since === undefined) this.missingSince.set(key, now);
      else if (now - since >= this.graceMs && s.lastHeartbeatAt > since) out.push(t);
    }
    for (const key of this.missingSince.keys()) if (!seen.has(key)) this.missingSince.delete(key);
    return out;
  }
}

function assignedSinceHeartbeat(t: TaskRecord, s: ControlSession): boolean {
  return !t.assignedAt || new Date(t.assignedAt).getTime() >= s.lastHeartbeatAt - 1000;
}
