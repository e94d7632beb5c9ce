export const NODE_MASTER_OPTIONS = Symbol('NODE_MASTER_OPTIONS');

export type NodeMasterOptions = {
  /** Identifies this master replica in node records and logs. */
  replicaId: string;
  clusterSecret: string;
  /** Interval the worker is told to heartbeat at. */
  heartbeatMs: number;
  /** No heartbeat for this long on an open stream: the node is offline. */
  nodeTimeoutMs: number;
  /** Every replica reloads its node cache from the database this often. */
  nodeReloadMs: number;
  /** Told to workers: stop running tasks after hearing from no master this long (0: off). */
  fenceMs?: number;
  /** A node's history keeps one sample per slot of this length, 120 slots (default 30 s: the last hour). */
  historySlotMs?: number;
};
