import type { ControlSession } from '@crawlnest/node';
import { RecentAssignments } from './recent-assignments';

function session(lastHeartbeatAt: number, running: string[] = []): ControlSession {
  return { nodeId: 'n1', lastHeartbeatAt, running: running.map((k) => ({ taskId: k, attempt: 1 })) } as unknown as ControlSession;
}

describe('RecentAssignments', () => {
  it('counts an assignment until a heartbeat sent after it, then the heartbeat list', () => {
    const r = new RecentAssignments();
    r.add('n1', 'a', 1, 10_000);
    expect(r.busy(session(9_000))).toBe(1);
    expect(r.busy(session(10_500))).toBe(1); // within the one-second slack
    expect(r.busy(session(12_000, ['a']))).toBe(1);
    expect(r.busy(session(13_000, []))).toBe(0);
  });

  it('does not count an attempt twice when the heartbeat already lists it', () => {
    const r = new RecentAssignments();
    r.add('n1', 'a', 1, 10_000);
    r.add('n1', 'b', 1, 10_000);
    expect(r.busy(session(10_000, ['a']))).toBe(2);
  });

  it('a final report frees the slot at once', () => {
    const r = new RecentAssignments();
    r.add('n1', 'a', 1, 10_000);
    r.release('n1', 'a', 1);
    expect(r.busy(session(9_000))).toBe(0);
  });
});
