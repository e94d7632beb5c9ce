export const RESULTS_MASTER_OPTIONS = Symbol('RESULTS_MASTER_OPTIONS');

export type ResultsMasterOptions = {
  clusterSecret: string;
  /** An item whose JSON is larger is refused on its own. */
  maxItemBytes: number;
  /** Stored items a dedup backfill claims per step (progress is saved after each); default 500. */
  dedupBackfillBatch?: number;
  /** This replica, as named in the backfill leases it takes. */
  replicaId?: string;
};
