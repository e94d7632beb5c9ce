import { Types } from 'mongoose';
import { LEASE_FORGET_MS, leaseRenewMs, leaseStaleMs, livenessActions, ReplicaLeaseDoc, StatusRow, withLease } from './replica-lease';
import type { NodeRecord } from './node.types';

const NOW = 100_000;
const STALE = leaseStaleMs(2500); // 4250

const lease = (id: string, ageMs: number, nodes: ReplicaLeaseDoc['nodes'] = []): ReplicaLeaseDoc => ({ _id: id, renewedAt: new Date(NOW - ageMs), nodes });

function sweep(rows: StatusRow[], leases: ReplicaLeaseDoc[], held: Record<string, string> = {}, opening: string[] = []) {
  return livenessActions({ rows, leases, now: NOW, staleMs: STALE, me: 'me', held: (id) => held[id], opening: (s) => opening.includes(s) });
}

describe('replica lease timings', () => {
  it('judges a lease stale at the age heartbeat rows were judged by (timeout × 1.5 + 500 ms), renewing four times per timeout, at most once a second', () => {
    expect(leaseStaleMs(2500)).toBe(4250);
    expect(leaseRenewMs(2500)).toBe(625);
    expect(leaseRenewMs(60_000)).toBe(1000);
    expect(leaseRenewMs(500)).toBe(125);
  });
});

describe('livenessActions (one sweep over node_status rows and replica leases)', () => {
  it("sets offline the online rows of a replica whose lease is stale or missing, and leaves a live replica's rows alone", () => {
    const a = sweep(
      [
        { _id: 'n1', status: 'online', sessionId: 's1', leaseId: 'dead' },
        { _id: 'n2', status: 'online', sessionId: 's2', leaseId: 'alive' },
        { _id: 'n3', status: 'online', sessionId: 's3', leaseId: 'never-leased' },
        { _id: 'n4', status: 'offline', sessionId: null, leaseId: 'dead' },
        { _id: 'n5', status: 'online', sessionId: 's5', leaseId: null },
      ],
      [lease('dead', STALE + 1), lease('alive', STALE)],
    );
    expect(a.offlineSilent).toEqual([
      { id: 'n1', sessionId: 's1' },
      { id: 'n3', sessionId: 's3' },
      { id: 'n5', sessionId: 's5' },
    ]);
    expect(a.offlineLost).toEqual([]);
    expect(a.reclaim).toEqual([]);
  });

  it('sets offline rows under its own lease that it holds no stream for (an offline write that failed), but not one being opened', () => {
    const a = sweep(
      [
        { _id: 'n1', status: 'online', sessionId: 'old', leaseId: 'me' },
        { _id: 'n2', status: 'online', sessionId: 'cur', leaseId: 'me' },
        { _id: 'n3', status: 'online', sessionId: 'opening', leaseId: 'me' },
      ],
      [lease('me', 0)],
      { n2: 'cur' },
      ['opening'],
    );
    expect(a.offlineLost).toEqual([{ id: 'n1', sessionId: 'old' }]);
    expect(a.offlineSilent).toEqual([]);
  });

  it("treats a previous life under the same replica id like any dead process: its rows name its own lease, which goes stale", () => {
    const a = sweep([{ _id: 'n1', status: 'online', sessionId: 'old', leaseId: 'r1/aaaa' }], [lease('r1/aaaa', STALE + 1), lease('me', 0)]);
    expect(a.offlineSilent).toEqual([{ id: 'n1', sessionId: 'old' }]);
    expect(a.offlineLost).toEqual([]);
  });

  it('forgets leases stale for an hour, never its own', () => {
    const a = sweep([], [lease('gone', LEASE_FORGET_MS + 1), lease('recent', STALE + 1), lease('me', LEASE_FORGET_MS + 1)]);
    expect(a.forget).toEqual(['gone']);
  });

  it('takes back a node whose stream it holds when another replica set the row offline, even while its own lease is stale', () => {
    const a = sweep([{ _id: 'n1', status: 'offline', sessionId: null, leaseId: 'me' }], [lease('me', STALE * 3)], { n1: 's1' });
    expect(a.reclaim).toEqual(['n1']);
    expect(a.offlineLost).toEqual([]);
  });

  it('leaves a row that moved to another session alone when this replica holds a stream of the node (the registry ends the stale one)', () => {
    const a = sweep([{ _id: 'n1', status: 'online', sessionId: 'elsewhere', leaseId: 'other' }], [lease('other', 0)], { n1: 'mine' });
    expect(a).toEqual({ offlineSilent: [], offlineLost: [], reclaim: [], forget: [] });
  });
});

describe('withLease (live fields from the lease over the row)', () => {
  const node = (over: Partial<NodeRecord> = {}): NodeRecord =>
    ({ _id: new Types.ObjectId('65a000000000000000000001'), status: 'online', sessionId: 's1', lastHeartbeatAt: new Date(1000), runningTasks: 0, resources: null, ...over }) as NodeRecord;
  const entry = { nodeId: '65a000000000000000000001', sessionId: 's1', lastHeartbeatAt: new Date(5000), runningTasks: 3, resources: { cpuPercent: 5, memoryBytes: 10, diskFreeBytes: 20 } };

  it("takes the lease's heartbeat, running count and resources for the row's session", () => {
    expect(withLease(node(), lease('r', 0, [entry]))).toMatchObject({ lastHeartbeatAt: new Date(5000), runningTasks: 3, resources: entry.resources });
  });

  it('ignores an entry of another session, an older entry, and offline rows', () => {
    expect(withLease(node({ sessionId: 's2' }), lease('r', 0, [entry])).runningTasks).toBe(0);
    expect(withLease(node({ lastHeartbeatAt: new Date(9000) }), lease('r', 0, [entry])).runningTasks).toBe(0);
    expect(withLease(node({ status: 'offline', sessionId: null }), lease('r', 0, [entry])).runningTasks).toBe(0);
    expect(withLease(node(), undefined).runningTasks).toBe(0);
  });
});
