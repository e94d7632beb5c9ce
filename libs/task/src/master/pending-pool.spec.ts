import { Types } from 'mongoose';
import type { TaskRecord } from '../task.types';
import { PendingPool } from './pending-pool';

function task(over: Partial<TaskRecord> = {}): TaskRecord {
  return { _id: new Types.ObjectId(), status: 'pending', attempt: 1, priority: 5, createdAt: new Date(1000), ...over } as TaskRecord;
}

describe('PendingPool', () => {
  it('serves the window in priority, then creation order', () => {
    const p = new PendingPool();
    const a = task({ createdAt: new Date(2000) });
    const b = task({ createdAt: new Date(1000) });
    const c = task({ priority: 9, createdAt: new Date(3000) });
    for (const t of [a, b, c]) p.upsert(t);
    expect(p.window(2).map((t) => t._id)).toEqual([c._id, b._id]);
    expect(p.window(10).map((t) => t._id)).toEqual([c._id, b._id, a._id]);
  });

  it('never takes back an attempt it dropped, but takes the next attempt', () => {
    const p = new PendingPool();
    const t = task();
    p.upsert(t);
    p.drop(String(t._id), 1);
    expect(p.upsert(t)).toBe(false);
    expect(p.size).toBe(0);
    expect(p.upsert({ ...t, attempt: 2 })).toBe(true);
    expect(p.window(1)[0].attempt).toBe(2);
  });

  it('ignores an older attempt and non-pending tasks', () => {
    const p = new PendingPool();
    const t = task({ attempt: 3 });
    p.upsert(t);
    expect(p.upsert({ ...t, attempt: 2 })).toBe(false);
    expect(p.upsert(task({ status: 'assigned' }))).toBe(false);
    expect(p.window(5).map((x) => x.attempt)).toEqual([3]);
  });

  it('a resync replaces what it read, keeps what was added or dropped after the read began', () => {
    const p = new PendingPool();
    const gone = task();
    const stays = task();
    const addedDuringRead = task();
    const droppedDuringRead = task();
    p.upsert(gone, 100);
    p.upsert(stays, 100);
    p.upsert(droppedDuringRead, 100);
    p.upsert(addedDuringRead, 250);
    p.drop(String(droppedDuringRead._id), 1, 260);
    p.resync([stays, droppedDuringRead], 200);
    expect(new Set(p.window(10).map((t) => String(t._id)))).toEqual(new Set([String(stays._id), String(addedDuringRead._id)]));
  });

  it('a resync forgets drop marks older than the read: the read is the truth', () => {
    const p = new PendingPool();
    const t = task();
    p.upsert(t, 100);
    p.drop(String(t._id), 1, 150);
    p.resync([t], 200);
    expect(p.size).toBe(1);
  });
});
