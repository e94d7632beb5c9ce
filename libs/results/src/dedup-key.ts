import { createHash } from 'node:crypto';
import type { DedupSetting } from './results.types';

/**
 * The dedup identity of an item: a hash of the values of the chosen keys (missing ones as
 * null), so equal key values give one `_id` in the claims collection whatever produced them.
 */
export function dedupHash(item: Record<string, unknown>, dedup: DedupSetting): string {
  const values = dedup.keys.map((k) => (k in item ? item[k] : null));
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
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
