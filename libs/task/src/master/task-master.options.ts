export const TASK_MASTER_OPTIONS = Symbol('TASK_MASTER_OPTIONS');

export type TaskMasterOptions = {
  replicaId: string;
  clusterSecret: string;
  /** Safety-net dispatch tick: picks up tasks created on another replica. */
  dispatchPollMs: number;
  /** An assignment not acknowledged this long goes back to pending as a new attempt. */
  ackTimeoutMs: number;
};
