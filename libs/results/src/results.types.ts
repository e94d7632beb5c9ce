import type { SpiderDedup } from '@crawlnest/sync';

export type DedupMode = SpiderDedup['mode'];
export type DedupSetting = SpiderDedup;

/** Fields added to every stored item. */
export const TASK_ID_FIELD = '_tid';
export const SPIDER_ID_FIELD = '_sid';
export const STORED_AT_FIELD = '_ts';
export const SYSTEM_FIELDS = ['_id', TASK_ID_FIELD, SPIDER_ID_FIELD, STORED_AT_FIELD] as const;

/**
 * A results collection name: `results_` then letters, digits, `_` or `-` (at most 100
 * characters in all). The prefix keeps user data out of the system's own collections.
 */
export const RESULTS_COLLECTION_PATTERN = /^results_[A-Za-z0-9_-]{1,92}$/;

export { defaultResultsCollectionName as defaultResultsCollection } from '@crawlnest/sync';

/** Counts of one task (summed from its batch ledgers). */
export type ResultCounts = { resultCount: number; resultErrors: number; resultDuplicates: number };
export const ZERO_COUNTS: ResultCounts = { resultCount: 0, resultErrors: 0, resultDuplicates: 0 };
