import { Types } from 'mongoose';
import { AttemptRecord, TaskRecord, TaskStatus } from '../task.types';
import { DispatcherService } from './dispatcher.service';
import { TaskLogRepository } from './task-log.repository';
import { TaskReportService } from './task-report.service';
import { TaskMetrics } from './task.metrics';
import { TaskRepository } from './task.repository';

const id = new Types.ObjectId().toHexString();

/**
 * One task in memory behind the repository calls the report service makes; `requeue` closes
 * the attempt once (its close claim), as the repository does.
 */
function setup(status: TaskStatus, attempt = 1, nodeId = 'node-a') {
  let task = { _id: new Types.ObjectId(id), status, attempt, nodeId, maxRetries: 0, attempts: [] as AttemptRecord[] } as unknown as TaskRecord;
  const closed = new Set<number>();
  const released: string[] = [];
  const tasks = {
    findLive: async () => task,
    requeue: async (t: TaskRecord, from: readonly TaskStatus[], ended: AttemptRecord) => {
      if (closed.has(t.attempt) || task.attempt !== t.attempt || !from.includes(task.status)) return false;
      closed.add(t.attempt);
      task = { ...task, status: 'pending', attempt: t.attempt + 1, nodeId: null, attempts: [...(task.attempts ?? []), ended] };
      return true;
    },
    updateOnNode: async (_id: string, a: number, n: string, from: readonly TaskStatus[], set: Partial<TaskRecord>) => {
      if (task.attempt !== a || task.nodeId !== n || !from.includes(task.status)) return false;
      task = { ...task, ...set };
      return true;
    },
  } as unknown as TaskRepository;
  const dispatcher = { released: (n: string) => released.push(n), kick: () => undefined } as unknown as DispatcherService;
  const svc = new TaskReportService(tasks, {} as TaskLogRepository, dispatcher, { reportHandled: () => undefined } as unknown as TaskMetrics);
  const handback = (a: number, n = 'node-a') =>
    svc.finished({ taskId: id, attempt: a, nodeId: n }, { status: 'handback', exitCode: null, error: 'worker shutting down: drained', sync: null });
  return { svc, handback, task: () => task, released };
}

describe('TaskReportService: a worker hands an attempt back', () => {
  it('the running attempt goes back to pending as the next one, marked handed back (no retry used), and the node slot is released', async () => {
    const s = setup('running');
    expect(await s.handback(1)).toEqual({ accepted: true, reason: '' });
    expect(s.task()).toMatchObject({ status: 'pending', attempt: 2, nodeId: null });
    expect(s.task().attempts).toEqual([expect.objectContaining({ attempt: 1, nodeId: 'node-a', status: 'pending', handedBack: true, error: 'worker shutting down: drained' })]);
    expect(s.released).toEqual(['node-a']);
  });

  it('a resend after a lost reply is accepted without a second re-queue', async () => {
    const s = setup('running');
    await s.handback(1);
    expect(await s.handback(1)).toEqual({ accepted: true, reason: '' });
    expect(s.task()).toMatchObject({ attempt: 2, status: 'pending' });
    expect(s.task().attempts).toHaveLength(1);
  });

  it('once handed back, the old attempt cannot report over the new one', async () => {
    const s = setup('running');
    await s.handback(1);
    const r = await s.svc.finished({ taskId: id, attempt: 1, nodeId: 'node-a' }, { status: 'finished', exitCode: 0, error: null, sync: null });
    expect(r).toEqual({ accepted: false, reason: 'attempt 1 is superseded by 2' });
    expect(s.task()).toMatchObject({ attempt: 2, status: 'pending' });
  });

  it.each([
    ['another node', setup('running', 1, 'node-b'), 1, 'attempt belongs to another node'],
    ['a superseded attempt', setup('running', 3), 2, 'attempt 2 is superseded by 3'],
    ['an ended task (cancelled meanwhile)', setup('cancelled'), 1, 'task is cancelled'],
  ])('is refused for %s', async (_what, s, attempt, reason) => {
    const before = s.task();
    expect(await s.handback(attempt)).toEqual({ accepted: false, reason });
    expect(s.task()).toBe(before);
  });
});
