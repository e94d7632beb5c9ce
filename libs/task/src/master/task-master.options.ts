export const TASK_MASTER_OPTIONS = Symbol('TASK_MASTER_OPTIONS');

export type TaskMasterOptions = {
  replicaId: string;
  clusterSecret: string;
  /** Safety-net dispatch tick: picks up tasks created on another replica. */
  dispatchPollMs: number;
  /** An assignment not acknowledged this long goes back to pending as a new attempt. */
  ackTimeoutMs: number;
  /**
   * How long a node stays offline before its tasks are declared abnormal. Longer than a
   * master restart plus a reconnect, so a restart does not kill work that is still running.
   */
  orphanGraceMs: number;
  /** The node timeout (CRAWLNEST_NODE_TIMEOUT_MS): slack in the per-node grace a longer fence asks for. */
  nodeTimeoutMs: number;
  /** A selected-nodes task whose targets stay unavailable this long ends in error. */
  pendingTimeoutMs: number;
  /** A pending task older than this counts as stuck in /api/stats. */
  stuckPendingMs: number;
  /**
   * Ended tasks and their logs older than `days` (0: kept forever), or past the newest `max`
   * (0: no cap), are removed in the background every `intervalMs`, an hour at a time.
   */
  retention: { days: number; max: number; intervalMs: number };
  /**
   * Ended tasks per archive shelf (a power of two; CRAWLNEST_TASK_SHELF_SIZE, default 256): an
   * hour's tasks past this many per creating replica go to shelves of this size, so a list
   * reads a bounded collection whatever the burst (archive-shelf.ts). Tests lower it.
   */
  shelfSize?: number;
};
