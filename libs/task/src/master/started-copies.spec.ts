import { Types } from 'mongoose';
import type { TaskRecord } from '../task.types';
import { StartedCopies } from './started-copies';

const task = (attempt: number, id = new Types.ObjectId()): TaskRecord => ({ _id: id, attempt, status: 'running', nodeId: 'n1' }) as unknown as TaskRecord;

describe('StartedCopies', () => {
  it('answers the copy of the attempt it was given, not of another attempt of the task', () => {
    const c = new StartedCopies();
    const t = task(2);
    c.remember(t);
    expect(c.get(String(t._id), 2)).toBe(t);
    expect(c.get(String(t._id), 1)).toBeUndefined();
    expect(c.get(String(t._id), 3)).toBeUndefined();
  });

  it('forgets a closed attempt', () => {
    const c = new StartedCopies();
    const t = task(1);
    c.remember(t);
    c.forget(String(t._id), 1);
    expect(c.get(String(t._id), 1)).toBeUndefined();
  });

  it('keeps at most its bound, forgetting the oldest first', () => {
    const c = new StartedCopies(2);
    const [a, b, d] = [task(1), task(1), task(1)];
    c.remember(a);
    c.remember(b);
    c.remember(d);
    expect(c.size).toBe(2);
    expect(c.get(String(a._id), 1)).toBeUndefined();
    expect(c.get(String(d._id), 1)).toBe(d);
  });
});
