import type { NodeRecord } from './node.types';

/**
 * One node in a replica's cache. `registrationAt` is this replica's clock when it last wrote
 * the node's registration fields itself (register, PATCH); 0 when they came from the database.
 */
export type NodeCacheEntry = { node: NodeRecord; registrationAt: number };

export type NodeCacheState = {
  entries: Map<string, NodeCacheEntry>;
  /** Nodes this replica deleted, with when: a scan that began before the delete still holds them. */
  tombstones: Map<string, number>;
};

/** Fields an admin or a (re)registration sets; the database is their authority. */
export const REGISTRATION_FIELDS = ['key', 'name', 'hostname', 'ip', 'labels', 'maxRunners', 'enabled', 'version', 'runtimes', 'registeredAt'] as const;

/** Fields the control stream moves; whichever copy saw the later event wins. */
export const HEARTBEAT_FIELDS = [
  'status',
  'taskReady',
  'runningTasks',
  'lastHeartbeatAt',
  'activeAt',
  'offlineAt',
  'connectedReplica',
  'leaseId',
  'sessionId',
  'resources',
] as const;

const ms = (d?: Date | null) => (d ? new Date(d).getTime() : 0);

/** The time of the latest liveness event a copy knows: a heartbeat, going online, going offline. */
export function livenessStamp(n: NodeRecord): number {
  return Math.max(ms(n.lastHeartbeatAt), ms(n.activeAt), ms(n.offlineAt));
}

function pick<K extends keyof NodeRecord>(from: NodeRecord, keys: readonly K[]): Pick<NodeRecord, K> {
  const out = {} as Pick<NodeRecord, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}

/**
 * Merges a reload from the database into a replica's cache, field by field (seed 002):
 * - registration fields come from the database, unless this replica wrote them at or after
 *   `scanStartedAt`: the scan may have read the row before that write (the race the seed's
 *   review describes), so the local copy is kept until a later scan sees the write;
 * - heartbeat fields come from whichever copy has the later liveness event, so a coalesced
 *   (older) database row never hides a heartbeat this replica holds in memory, and an
 *   offline/online written by another replica is taken;
 * - nodes registered elsewhere are added; nodes missing from the scan are removed, unless
 *   this replica registered them after the scan began;
 * - nodes this replica deleted after the scan began are not brought back by it.
 * Pure: returns a new state; the inputs are not modified.
 */
export function mergeNodeReload(state: NodeCacheState, snapshot: NodeRecord[], scanStartedAt: number): NodeCacheState {
  const entries = new Map<string, NodeCacheEntry>();
  const seen = new Set<string>();
  for (const fromDb of snapshot) {
    const id = String(fromDb._id);
    seen.add(id);
    const deletedAt = state.tombstones.get(id);
    if (deletedAt !== undefined && deletedAt >= scanStartedAt) continue;
    const local = state.entries.get(id);
    if (!local) {
      entries.set(id, { node: { ...fromDb }, registrationAt: 0 });
      continue;
    }
    const keepLocalRegistration = local.registrationAt >= scanStartedAt;
    const registration = keepLocalRegistration ? pick(local.node, REGISTRATION_FIELDS) : pick(fromDb, REGISTRATION_FIELDS);
    const heartbeat =
      livenessStamp(fromDb) > livenessStamp(local.node) ? pick(fromDb, HEARTBEAT_FIELDS) : pick(local.node, HEARTBEAT_FIELDS);
    entries.set(id, {
      node: { ...local.node, ...registration, ...heartbeat, _id: local.node._id },
      registrationAt: keepLocalRegistration ? local.registrationAt : 0,
    });
  }
  for (const [id, local] of state.entries) {
    if (!seen.has(id) && local.registrationAt >= scanStartedAt) entries.set(id, local);
  }
  const tombstones = new Map([...state.tombstones].filter(([, at]) => at >= scanStartedAt));
  return { entries, tombstones };
}
