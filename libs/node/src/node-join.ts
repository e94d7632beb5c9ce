import type { Types } from 'mongoose';
import type { Label, NodeRecord, NodeStatus } from './node.types';

/** The user-edited part of a node (collection `nodes`). Older documents may still hold the other fields. */
export type NodeUserDoc = {
  _id: Types.ObjectId;
  key: string;
  labels: Label[];
  maxRunners: number;
  enabled: boolean;
  registeredAt: Date;
} & Partial<Omit<NodeRecord, '_id' | 'key' | 'labels' | 'maxRunners' | 'enabled' | 'registeredAt'>>;

/** Host facts from the latest registration (collection `node_hosts`). */
export type NodeHostDoc = { _id: string; name: string; hostname: string; ip: string; version: string; runtimes?: { name: string; version: string }[] };

/** Liveness (collection `node_status`); extra heartbeat fields are carried through as they are. */
export type NodeStatusDoc = {
  _id: string;
  status: NodeStatus;
  taskReady: boolean;
  runningTasks: number;
  activeAt?: Date | null;
  offlineAt?: Date | null;
  lastHeartbeatAt?: Date | null;
  connectedReplica?: string | null;
  leaseId?: string | null;
  sessionId?: string | null;
  resources?: NodeRecord['resources'];
  /** The fence the owning replica told the worker (0: off); other replicas wait at least this long before re-running its tasks. */
  fenceMs?: number | null;
};

/**
 * One node as the rest of the code knows it, from its three single-writer documents. A node
 * whose status document does not exist yet (registered, never connected; or stored before the
 * split) is offline; host facts stored before the split are read from the user document.
 */
export function joinNode(user: NodeUserDoc, host: NodeHostDoc | undefined, status: NodeStatusDoc | undefined): NodeRecord {
  const { _id: _hostId, ...hostFields } = host ?? { _id: '', name: user.name ?? user.key.slice(0, 8), hostname: user.hostname ?? '', ip: user.ip ?? '', version: user.version ?? '' };
  const { _id: _statusId, ...statusFields } = status ?? {
    _id: '',
    status: 'offline' as const,
    taskReady: false,
    runningTasks: 0,
    activeAt: user.activeAt ?? null,
    offlineAt: user.offlineAt ?? null,
    lastHeartbeatAt: user.lastHeartbeatAt ?? null,
    connectedReplica: null,
    sessionId: null,
    resources: null,
  };
  return {
    ...statusFields,
    ...hostFields,
    _id: user._id,
    key: user.key,
    labels: user.labels ?? [],
    maxRunners: user.maxRunners,
    enabled: user.enabled ?? true,
    registeredAt: user.registeredAt,
  };
}
