import type { Types } from 'mongoose';

export type Label = { key: string; value: string };
export type NodeStatus = 'online' | 'offline';
export type Runtime = { name: string; version: string };

/** A node as stored (lean read). */
export type NodeRecord = {
  _id: Types.ObjectId;
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: Label[];
  maxRunners: number;
  runningTasks: number;
  status: NodeStatus;
  taskReady: boolean;
  enabled: boolean;
  version: string;
  runtimes?: Runtime[];
  registeredAt: Date;
  activeAt?: Date | null;
  offlineAt?: Date | null;
  lastHeartbeatAt?: Date | null;
  connectedReplica?: string | null;
  /** The lease of the replica process holding the session (replica_leases); absent when offline or stored before leases. */
  leaseId?: string | null;
  sessionId?: string | null;
  resources?: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
  /** The fence the replica holding its session told the worker (0: off; absent before it connected). */
  fenceMs?: number | null;
};

/** A node as the REST API shows it (API.md). */
export type NodeView = {
  id: string;
  key: string;
  name: string;
  hostname: string;
  ip: string;
  labels: Record<string, string>;
  maxRunners: number;
  runningTasks: number;
  status: NodeStatus;
  active: boolean;
  taskReady: boolean;
  enabled: boolean;
  version: string;
  runtimes: Runtime[];
  registeredAt: string;
  activeAt: string | null;
  offlineAt: string | null;
  lastHeartbeatAt: string | null;
  connectedReplica: string | null;
  /** Live machine figures; null while the node is offline (nobody measures them then). */
  resources: NodeRecord['resources'];
  /** The last figures the node reported, online or not (as of lastHeartbeatAt). */
  lastResources: NodeRecord['resources'];
};

export function labelsToObject(labels: Label[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l.key, l.value]));
}

export function labelsFromObject(labels: Record<string, string>): Label[] {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

/** True when every selector label is present on the node with the same value. */
export function labelsMatch(selector: Label[], nodeLabels: Label[]): boolean {
  return selector.every((s) => nodeLabels.some((l) => l.key === s.key && l.value === s.value));
}

const iso = (d?: Date | null) => (d ? new Date(d).toISOString() : null);

export function toNodeView(n: NodeRecord): NodeView {
  return {
    id: String(n._id),
    key: n.key,
    name: n.name,
    hostname: n.hostname,
    ip: n.ip,
    labels: labelsToObject(n.labels ?? []),
    maxRunners: n.maxRunners,
    // An offline node reports nothing: its last count and figures are not live any more.
    runningTasks: n.status === 'online' ? (n.runningTasks ?? 0) : 0,
    status: n.status,
    active: n.status === 'online',
    taskReady: n.status === 'online' && n.taskReady,
    enabled: n.enabled,
    version: n.version,
    runtimes: (n.runtimes ?? []).map((r) => ({ name: r.name, version: r.version })),
    registeredAt: iso(n.registeredAt) ?? '',
    activeAt: iso(n.activeAt),
    offlineAt: iso(n.offlineAt),
    lastHeartbeatAt: iso(n.lastHeartbeatAt),
    connectedReplica: n.connectedReplica ?? null,
    resources: n.status === 'online' ? (n.resources ?? null) : null,
    lastResources: n.resources ?? null,
  };
}
