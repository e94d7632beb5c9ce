import { Types } from 'mongoose';
import { mergeNodeReload, NodeCacheEntry, NodeCacheState } from './node-cache.merge';
import { NodeRecord } from './node.types';

const ID = new Types.ObjectId('aaaaaaaaaaaaaaaaaaaaaaaa');
const OTHER = new Types.ObjectId('bbbbbbbbbbbbbbbbbbbbbbbb');
const t = (s: number) => new Date(1_000_000 + s * 1000);
const SCAN = t(10).getTime();

function node(over: Partial<NodeRecord> = {}): NodeRecord {
  return {
    _id: ID,
    key: 'k1',
    name: 'n1',
    hostname: 'h',
    ip: '10.0.0.1',
    labels: [{ key: 'zone', value: 'a' }],
    maxRunners: 2,
    runningTasks: 0,
    status: 'online',
    taskReady: true,
    enabled: true,
    version: '1',
    registeredAt: t(0),
    activeAt: t(1),
    offlineAt: null,
    lastHeartbeatAt: t(5),
    connectedReplica: 'A',
    sessionId: 's1',
    resources: null,
    ...over,
  };
}

function state(entries: [NodeRecord, number][], tombstones: [Types.ObjectId, number][] = []): NodeCacheState {
  return {
    entries: new Map(entries.map(([n, registrationAt]) => [String(n._id), { node: n, registrationAt } as NodeCacheEntry])),
    tombstones: new Map(tombstones.map(([id, at]) => [String(id), at])),
  };
}

type Case = {
  name: string;
  local: NodeCacheState;
  db: NodeRecord[];
  expect: (Partial<NodeRecord> & { _id: Types.ObjectId })[];
  tombstones?: string[];
};

const cases: Case[] = [
  {
    name: 'registration fields changed on another replica are taken from the database',
    local: state([[node(), 0]]),
    db: [node({ labels: [{ key: 'zone', value: 'b' }], maxRunners: 8, enabled: false, ip: '10.0.0.2' })],
    expect: [{ _id: ID, labels: [{ key: 'zone', value: 'b' }], maxRunners: 8, enabled: false, ip: '10.0.0.2' }],
  },
  {
    name: 'race of the seed 002 review: a local write made after the scan began survives the stale scan',
    // T0 scan reads old labels; T1 this replica writes new labels to the DB; T2 updates memory; T3 merge.
    local: state([[node({ labels: [{ key: 'zone', value: 'new' }] }), SCAN + 5]]),
    db: [node({ labels: [{ key: 'zone', value: 'a' }] })],
    expect: [{ _id: ID, labels: [{ key: 'zone', value: 'new' }] }],
  },
  {
    name: 'a local write made before the scan began yields to the database (a later edit elsewhere)',
    local: state([[node({ labels: [{ key: 'zone', value: 'mine' }] }), SCAN - 5]]),
    db: [node({ labels: [{ key: 'zone', value: 'theirs' }] })],
    expect: [{ _id: ID, labels: [{ key: 'zone', value: 'theirs' }] }],
  },
  {
    name: 'a fresher in-memory heartbeat is not overwritten by the coalesced database row',
    local: state([[node({ lastHeartbeatAt: t(9), runningTasks: 2, taskReady: false }), 0]]),
    db: [node({ lastHeartbeatAt: t(6), runningTasks: 0, taskReady: true })],
    expect: [{ _id: ID, lastHeartbeatAt: t(9), runningTasks: 2, taskReady: false }],
  },
  {
    name: 'a fresher database heartbeat (node held by another replica) is taken',
    local: state([[node({ lastHeartbeatAt: t(4), connectedReplica: 'A', sessionId: 's1' }), 0]]),
    db: [node({ lastHeartbeatAt: t(8), connectedReplica: 'B', sessionId: 's2', runningTasks: 1 })],
    expect: [{ _id: ID, lastHeartbeatAt: t(8), connectedReplica: 'B', sessionId: 's2', runningTasks: 1 }],
  },
  {
    name: 'offline written by another replica after the last heartbeat is taken',
    local: state([[node({ lastHeartbeatAt: t(5) }), 0]]),
    db: [node({ status: 'offline', taskReady: false, offlineAt: t(7), lastHeartbeatAt: t(5), sessionId: null })],
    expect: [{ _id: ID, status: 'offline', taskReady: false, offlineAt: t(7), sessionId: null }],
  },
  {
    name: 'a local offline newer than the database row stays offline',
    local: state([[node({ status: 'offline', taskReady: false, offlineAt: t(9) }), 0]]),
    db: [node({ status: 'online', lastHeartbeatAt: t(6) })],
    expect: [{ _id: ID, status: 'offline', taskReady: false, offlineAt: t(9) }],
  },
  {
    name: 'registration from the database and heartbeat from memory in the same merge',
    local: state([[node({ lastHeartbeatAt: t(9), runningTasks: 3 }), 0]]),
    db: [node({ lastHeartbeatAt: t(6), runningTasks: 0, maxRunners: 5 })],
    expect: [{ _id: ID, lastHeartbeatAt: t(9), runningTasks: 3, maxRunners: 5 }],
  },
  {
    name: 'a node registered on another replica is added',
    local: state([[node(), 0]]),
    db: [node(), node({ _id: OTHER, key: 'k2', name: 'n2', connectedReplica: 'B' })],
    expect: [{ _id: ID }, { _id: OTHER, name: 'n2', connectedReplica: 'B' }],
  },
  {
    name: 'a node deleted on another replica is removed',
    local: state([[node(), 0], [node({ _id: OTHER, key: 'k2' }), 0]]),
    db: [node()],
    expect: [{ _id: ID }],
  },
  {
    name: 'a node registered here after the scan began is kept although the scan missed it',
    local: state([[node(), 0], [node({ _id: OTHER, key: 'k2' }), SCAN + 1]]),
    db: [node()],
    expect: [{ _id: ID }, { _id: OTHER }],
  },
  {
    name: 'a node deleted here after the scan began is not brought back by that scan',
    local: state([], [[ID, SCAN + 1]]),
    db: [node()],
    expect: [],
    tombstones: [String(ID)],
  },
  {
    name: 'a tombstone older than the scan is dropped (the scan already reflects the delete)',
    local: state([], [[ID, SCAN - 1]]),
    db: [],
    expect: [],
    tombstones: [],
  },
];

describe('mergeNodeReload: a replica cache merged with a database reload (seed 002)', () => {
  it.each(cases)('$name', (c) => {
    const next = mergeNodeReload(c.local, c.db, SCAN);
    expect([...next.entries.keys()].sort()).toEqual(c.expect.map((e) => String(e._id)).sort());
    for (const e of c.expect) expect(next.entries.get(String(e._id))?.node).toMatchObject(e);
    if (c.tombstones) expect([...next.tombstones.keys()]).toEqual(c.tombstones);
  });

  it('keeps the local registration stamp only while the local copy is kept', () => {
    const kept = mergeNodeReload(state([[node(), SCAN + 5]]), [node()], SCAN);
    expect(kept.entries.get(String(ID))?.registrationAt).toBe(SCAN + 5);
    const taken = mergeNodeReload(state([[node(), SCAN - 5]]), [node()], SCAN);
    expect(taken.entries.get(String(ID))?.registrationAt).toBe(0);
  });

  it('does not modify its inputs', () => {
    const local = state([[node({ lastHeartbeatAt: t(4) }), 0]]);
    const db = [node({ lastHeartbeatAt: t(8), labels: [{ key: 'x', value: 'y' }] })];
    const before = JSON.stringify([...local.entries.values()]);
    mergeNodeReload(local, db, SCAN);
    expect(JSON.stringify([...local.entries.values()])).toBe(before);
    expect(db[0].lastHeartbeatAt).toEqual(t(8));
  });
});
