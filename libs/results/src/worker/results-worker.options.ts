export const RESULTS_WORKER_OPTIONS = Symbol('RESULTS_WORKER_OPTIONS');

export type ResultsWorkerOptions = {
  /** Items are sent in batches at most this far apart. */
  batchMs: number;
  /** An item whose JSON is larger is refused here, on its own. */
  maxItemBytes: number;
};
