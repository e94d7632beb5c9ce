import { Types } from 'mongoose';
import { nodeLabel, TaskRecord, toTaskView } from './task.types';

const W1 = '665f1c2e8b3a4d0012345670';
const GONE = '665f1c2e8b3a4d0012345671';
const names = new Map([[W1, 'worker-1']]);

function task(over: Partial<TaskRecord>): TaskRecord {
  const t0 = new Date('2026-12-06T10:00:00.000Z');
  return {
    _id: new Types.ObjectId(),
    spiderId: 's',
    spiderVersion: 1,
    cmd: 'true',
    param: '',
    mode: 'random',
    nodeIds: [],
    labels: [],
    env: [],
    priority: 5,
    status: 'running',
    nodeId: W1,
    attempt: 2,
    maxRetries: 1,
    timeoutSec: 0,
    exitCode: null,
    error: null,
    createdAt: t0,
    assignedAt: t0,
    ackedAt: t0,
    startedAt: new Date(t0.getTime() + 20_000),
    finishedAt: null,
    scheduleId: null,
    parentId: null,
    sync: null,
    attempts: [{ attempt: 1, nodeId: GONE, status: 'abnormal', error: 'x', at: t0 }],
    ...over,
  };
}

describe('toTaskView', () => {
  it('names its node and the nodes of earlier attempts; ids stay, unknown nodes get null', () => {
    const v = toTaskView(task({}), null, names, Date.parse('2026-12-06T10:00:21.000Z'));
    expect(v.nodeId).toBe(W1);
    expect(v.nodeName).toBe('worker-1');
    expect(v.attempts[0]).toMatchObject({ nodeId: GONE, nodeName: null });
  });

  it('times a running task from its assignment up to now, the preparation apart', () => {
    const v = toTaskView(task({}), null, names, Date.parse('2026-12-06T10:00:21.000Z'));
    expect(v).toMatchObject({ durationMs: 21_000, prepareMs: 20_000, runMs: 1000 });
  });
});

describe('nodeLabel: how messages name a node', () => {
  it.each([
    [W1, 'worker-1'],
    [GONE, GONE],
    [null, '(no node)'],
  ])('%s → %s', (id, want) => expect(nodeLabel(id, names)).toBe(want));
});
