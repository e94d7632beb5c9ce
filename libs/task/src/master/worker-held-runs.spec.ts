import type { ControlSession } from '@crawlnest/node';
import { Types } from 'mongoose';
import type { TaskRecord } from '../task.types';
import { UnheldRunDetector } from './worker-held-runs';

const HB = 1_000_000;

function session(running: { taskId: string; attempt: number }[], lastHeartbeatAt = HB): ControlSession {
  return { nodeId: 'n1', running, lastHeartbeatAt } as unknown as ControlSession;
}

function task(status: TaskRecord['status'], assignedAt: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { _id: new Types.ObjectId(), attempt: 1, nodeId: 'n1', status, assignedAt: new Date(assignedAt), ackedAt: new Date(assignedAt), ...extra } as TaskRecord;
}

describe('UnheldRunDetector', () => {
  it('reports a run missing from heartbeats for the grace, with heartbeats arriving meanwhile', () => {
    const d = new UnheldRunDetector(3000);
    const t = task('running', HB - 10_000);
    const s = session([]);
    expect(d.unheld([t], () => s, HB + 100)).toEqual([]);
    expect(d.unheld([t], () => s, HB + 3200)).toEqual([]); // no heartbeat since it went missing
    s.lastHeartbeatAt = HB + 3300;
    expect(d.unheld([t], () => s, HB + 3400)).toEqual([t]);
  });

  it('forgets a run once the worker lists it again, and ignores nodes held elsewhere', () => {
    const d = new UnheldRunDetector(1000);
    const t = task('running', HB - 10_000);
    const s = session([]);
    d.unheld([t], () => s, HB + 1);
    s.running = [{ taskId: String(t._id), attempt: 1 }];
    s.lastHeartbeatAt = HB + 5000;
    expect(d.unheld([t], () => s, HB + 5001)).toEqual([]);
    s.running = [];
    expect(d.unheld([t], () => s, HB + 5002)).toEqual([]); // the clock started over
    expect(d.unheld([t], () => undefined, HB + 99_999)).toEqual([]);
  });

  it('leaves alone an assignment not yet acknowledged (the ack timeout handles it)', () => {
    const d = new UnheldRunDetector(0);
    const t = task('assigned', HB - 10_000, { ackedAt: null });
    const s = session([]);
    d.unheld([t], () => s, HB);
    s.lastHeartbeatAt = HB + 10;
    expect(d.unheld([t], () => s, HB + 20)).toEqual([]);
  });
});
