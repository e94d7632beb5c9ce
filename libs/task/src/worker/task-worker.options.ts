export const TASK_WORKER_OPTIONS = Symbol('TASK_WORKER_OPTIONS');

export type TaskWorkerOptions = {
  workspace: string;
  maxRunners: number;
  /** SIGTERM first; SIGKILL to the whole process group after this grace. */
  killGraceMs: number;
  /** Log lines are sent in batches at most this far apart. */
  logBatchMs: number;
  /**
   * Tasks still running when a graceful stop's drain window ends: `handback` stops them and
   * gives them back to the master to run again elsewhere (a new attempt that uses no retry);
   * `cancel` ends them cancelled. Default handback.
   */
  shutdownMode?: 'handback' | 'cancel';
  /** A result line (stdout, crawlab-sdk) is kept whole up to this size; longer ones are refused. */
  maxResultLineBytes?: number;
};
