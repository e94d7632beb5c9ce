export const RESULTS_MASTER_OPTIONS = Symbol('RESULTS_MASTER_OPTIONS');

export type ResultsMasterOptions = {
  clusterSecret: string;
  /** An item whose JSON is larger is refused on its own. */
  maxItemBytes: number;
};
