import type { ControlSession } from '@crawlnest/node';

/**
 * The assignments this replica sent to each node, kept until the worker's heartbeats take
 * over: a worker lists what it runs in every heartbeat, so an assignment counts as a busy
 * slot only until a heartbeat sent after it (the rule the dispatcher once applied to database
 * records: assigned at or after the last heartbeat minus one second). A final report
 * handled here frees the slot at once.
 */
export class RecentAssignments {
  private readonly byNode = new Map<string, Map<string, number>>();

  add(nodeId: string, taskId: string, attempt: number, at = Date.now()): void {
    let m = this.byNode.get(nodeId);
    if (!m) this.byNode.set(nodeId, (m = new Map()));
    m.set(`${taskId}:${attempt}`, at);
  }

  /** The attempt ended (its final report was handled on this replica). */
  release(nodeId: string, taskId: string, attempt: number): void {
    this.byNode.get(nodeId)?.delete(`${taskId}:${attempt}`);
  }

  /** Busy runner slots of a node whose stream this replica holds. */
  busy(session: ControlSession): number {
    const busy = new Set(session.running.map((r) => `${r.taskId}:${r.attempt}`));
    const m = this.byNode.get(session.nodeId);
    if (m) {
      for (const [key, at] of m) {
        if (at >= session.lastHeartbeatAt - 1000) busy.add(key);
        else m.delete(key); // a heartbeat came after it: the worker's list is the truth now
      }
    }
    return busy.size;
  }

  /** Forgets nodes whose stream this replica no longer holds. */
  forgetNode(nodeId: string): void {
    this.byNode.delete(nodeId);
  }
}
