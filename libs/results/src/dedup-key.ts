import { createHash } from 'node:crypto';
import { escapeKey } from './key-escape';
import type { DedupSetting } from './results.types';

/**
 * The dedup identity of an item: a hash of the values of the chosen keys (missing ones as
 * null), so equal key values give one `_id` in the claims collection whatever produced them.
 */
export function dedupHash(item: Record<string, unknown>, dedup: DedupSetting): string {
  return createHash('sha256').update(JSON.stringify(dedupValues(item, dedup))).digest('hex');
}

/** The name a dedup key has in a stored document (keys are stored escaped, an item's `_id` as `%5Fid`). */
export function storedKeyName(key: string): string {
  return key === '_id' ? '%5Fid' : escapeKey(key);
}

/** The dedup hash of a stored document: the same as its item's, for keys stored under their own names. */
export function storedDedupHash(doc: Record<string, unknown>, dedup: DedupSetting): string {
  const item: Record<string, unknown> = {};
  for (const k of dedup.keys) if (storedKeyName(k) in doc) item[k] = doc[storedKeyName(k)];
  return dedupHash(item, dedup);
}

/** The values of the dedup keys of an item (a missing key as null). */
export function dedupValues(item: Record<string, unknown>, dedup: DedupSetting): unknown[] {
  return dedup.keys.map((k) => (k in item ? item[k] : null));
}

/**
 * A results document's `_id`: the time the worker read the item (base 36, fixed width) first,
 * so `_id` order is newest-last, then the task, attempt and seq that make it unique and let a
 * resent batch find what an earlier try stored.
 */
export function resultDocId(tsMs: number, taskId: string, attempt: number, seq: number): string {
  return `${timePrefix(tsMs)}.${taskId}.${pad36(attempt, 3)}.${pad36(seq, 7)}`;
}

/** The `_id` prefix of items read at `tsMs`: `_id`s compare like their times. */
export function timePrefix(tsMs: number): string {
  return pad36(tsMs, 9);
}

function pad36(n: number, width: number): string {
  return Math.max(0, Math.floor(n)).toString(36).padStart(width, '0');
}
