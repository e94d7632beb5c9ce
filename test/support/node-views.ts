import { ApiClient } from './api-client';

/** The fields of a node (API.md) the node suites look at. */
export type NodeView = {
  id: string;
  name: string;
  status: 'online' | 'offline';
  taskReady: boolean;
  labels: Record<string, string>;
  maxRunners: number;
  runningTasks: number;
  activeAt: string | null;
  offlineAt: string | null;
  lastHeartbeatAt: string | null;
  connectedReplica: string | null;
  resources: { cpuPercent: number; memoryBytes: number; diskFreeBytes: number } | null;
};

export type NodeEvents = {
  online: number;
  offline: { streamClosed: number; heartbeatTimeout: number; replicaSilent: number };
  heartbeats: number;
  dbWrites: number;
  leaseWrites: number;
  sinceMs: number;
};

export async function nodesNamed(api: ApiClient, name: string): Promise<NodeView[]> {
  const r = await api.get<NodeView[]>('/api/nodes');
  if (r.status !== 200) throw new Error(`GET /api/nodes: ${r.status} ${r.text}`);
  return r.body.filter((n) => n.name === name);
}

export async function nodeEvents(api: ApiClient): Promise<NodeEvents> {
  return (await api.get<{ nodeEvents: NodeEvents }>('/api/stats')).body.nodeEvents;
}

export function summary(values: number[]): { p50: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { p50: at(50), p99: at(99), max: s[s.length - 1] };
}
