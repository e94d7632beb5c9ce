import type { NodeRecord, NodeStatus } from './node.types';

/** A node's live heartbeat state, as the replica holding its stream last wrote it in its lease. */
export type LeaseEntry = {
  nodeId: string;
  sessionId: string;
  lastHeartbeatAt: Date;
  runningTasks: number;
  resources: NodeRecord['resources'];
};

/** A replica process's lease document (collection `replica_leases`, `_id` = lease id). */
export type ReplicaLeaseDoc = { _id: string; replica?: string | null; renewedAt: Date; nodes: LeaseEntry[] };

/** The part of a `node_status` row the liveness sweep reads. */
export type StatusRow = { _id: string; status: NodeStatus; sessionId?: string | null; leaseId?: string | null };

/** A process's lease id: its replica id and a random suffix, new at every start. */
export function newLeaseId(replicaId: string, random: string): string {
  return `${replicaId}/${random}`;
}

/** A lease stale this long belongs to a process long gone: the sweep deletes it. */
export const LEASE_FORGET_MS = 3_600_000;

/**
 * A lease older than this is a dead (or cut-off) replica's: the same age at which the per-node
 * heartbeat rows used to be judged stale (node timeout × 1.5 + 500 ms), so failover timing and
 * the fence arithmetic (docs/failure-safety.md) are unchanged.
 */
export function leaseStaleMs(nodeTimeoutMs: number): number {
  return nodeTimeoutMs * 1.5 + 500;
}

/** How often a replica renews its lease: four renewals fit in a node timeout, at most one a second. */
export function leaseRenewMs(nodeTimeoutMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(nodeTimeoutMs / 4)));
}

export type LivenessActions = {
  /** Online rows of a process whose lease is stale or missing (it died, or was restarted): set them offline (fenced by session). */
  offlineSilent: { id: string; sessionId: string }[];
  /** Online rows under this process's lease that it holds no stream for (an offline write that failed). */
  offlineLost: { id: string; sessionId: string }[];
  /** Nodes whose stream this process holds but whose row another replica set offline (this lease looked stale). */
  reclaim: string[];
  /** Leases stale for LEASE_FORGET_MS: deleted. */
  forget: string[];
};

/**
 * What one liveness sweep does, from the status rows and the leases it read. Pure.
 * `held(id)` is the session this replica holds for a node now; `opening(sessionId)` is true for
 * a session whose online row is being written (not in the registry yet). Every action is
 * applied with a write fenced by the row's session, so acting on a row that changed since it
 * was read is a no-op.
 */
export function livenessActions(input: {
  rows: StatusRow[];
  leases: ReplicaLeaseDoc[];
  now: number;
  staleMs: number;
  /** This process's lease id. */
  me: string;
  held: (nodeId: string) => string | undefined;
  opening: (sessionId: string) => boolean;
}): LivenessActions {
  const age = (l: ReplicaLeaseDoc) => input.now - new Date(l.renewedAt).getTime();
  const fresh = new Set(input.leases.filter((l) => age(l) <= input.staleMs).map((l) => l._id));
  const forget = input.leases.filter((l) => age(l) > LEASE_FORGET_MS && l._id !== input.me).map((l) => l._id);
  const out: LivenessActions = { offlineSilent: [], offlineLost: [], reclaim: [], forget };
  for (const row of input.rows) {
    const held = input.held(row._id);
    if (held && row.status === 'offline' && !row.sessionId) {
      out.reclaim.push(row._id);
      continue;
    }
    if (row.status !== 'online' || !row.sessionId || row.sessionId === held) continue;
    const target = { id: row._id, sessionId: row.sessionId };
    if (row.leaseId === input.me) {
      if (!input.opening(row.sessionId)) out.offlineLost.push(target);
    } else if (!row.leaseId || !fresh.has(row.leaseId)) {
      out.offlineSilent.push(target);
    }
  }
  return out;
}

/**
 * The live fields of a node from its replica's lease, over the row's (which were written at the
 * node's last change): only for the session the row names, so an old session's entry is ignored.
 */
export function withLease(node: NodeRecord, lease: ReplicaLeaseDoc | undefined): NodeRecord {
  if (!lease || node.status !== 'online' || !node.sessionId) return node;
  const e = lease.nodes.find((n) => n.nodeId === String(node._id) && n.sessionId === node.sessionId);
  if (!e) return node;
  const rowAt = node.lastHeartbeatAt ? new Date(node.lastHeartbeatAt).getTime() : 0;
  if (new Date(e.lastHeartbeatAt).getTime() < rowAt) return node;
  return { ...node, lastHeartbeatAt: e.lastHeartbeatAt, runningTasks: e.runningTasks, resources: e.resources ?? node.resources };
}
