import { Types } from 'mongoose';
import { labelsFromObject, labelsMatch, labelsToObject, NodeRecord, toNodeView } from './node.types';

describe('labelsMatch: a task selector against node labels', () => {
  const node = labelsFromObject({ 'topology.zone': 'eu-1', gpu: 'yes' });
  it.each([
    [{}, true],
    [{ gpu: 'yes' }, true],
    [{ 'topology.zone': 'eu-1', gpu: 'yes' }, true],
    [{ gpu: 'no' }, false],
    [{ disk: 'ssd' }, false],
    [{ 'topology.zone': 'eu-1', disk: 'ssd' }, false],
  ])('selector %j → %s', (sel, ok) => {
    expect(labelsMatch(labelsFromObject(sel), node)).toBe(ok);
  });

  it('keeps keys with dots through the pair form', () => {
    expect(labelsToObject(node)).toEqual({ 'topology.zone': 'eu-1', gpu: 'yes' });
  });
});

describe('toNodeView: live figures only for an online node', () => {
  const resources = { cpuPercent: 87, memoryBytes: 3_000_000_000, diskFreeBytes: 9_000_000_000 };
  const record = (status: 'online' | 'offline'): NodeRecord => ({
    _id: new Types.ObjectId(),
    key: 'k',
    name: 'w1',
    hostname: 'h',
    ip: '10.0.0.1',
    labels: [],
    maxRunners: 4,
    runningTasks: 3,
    status,
    taskReady: true,
    enabled: true,
    version: '0.1.0',
    registeredAt: new Date(),
    resources,
  });
  it.each([
    ['online', 3, resources],
    ['offline', 0, null],
  ] as const)('%s: runningTasks %s, resources %j; lastResources keeps what it last reported', (status, running, live) => {
    const v = toNodeView(record(status));
    expect(v.runningTasks).toBe(running);
    expect(v.resources).toEqual(live);
    expect(v.lastResources).toEqual(resources);
    expect(v.taskReady).toBe(status === 'online');
  });
});
