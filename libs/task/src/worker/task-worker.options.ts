export const TASK_WORKER_OPTIONS = Symbol('TASK_WORKER_OPTIONS');

export type TaskWorkerOptions = {
  workspace: string;
  maxRunners: number;
  /** SIGTERM first; SIGKILL to the whole process group after this grace. */
  killGraceMs: number;
  /** Log lines are sent in batches at most this far apart. */
  logBatchMs: number;
  /** A result line (stdout, crawlab-sdk) is kept whole up to this size; longer ones are refused. */
  maxResultLineBytes?: number;
};
