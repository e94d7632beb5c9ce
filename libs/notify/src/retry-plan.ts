/** Exponential backoff with a cap, the base for attempt 1 (the first retry). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * `Retry-After` as seconds or an HTTP date, in ms from `now`; null when absent or unreadable.
 * Capped by the caller: a receiver cannot park a delivery for a day.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** When the next attempt goes: the receiver's Retry-After when it gave one (up to maxMs), else the backoff. */
export function nextAttemptDelayMs(attempt: number, retryAfter: number | null, baseMs: number, maxMs: number): number {
  return retryAfter !== null ? Math.min(maxMs, Math.max(retryAfter, 0)) : backoffMs(attempt, baseMs, maxMs);
}

/** 2xx is sent; 408, 429 and 5xx are worth another try; other 4xx will not change by retrying. */
export function isRetryableStatus(code: number): boolean {
  return code === 408 || code === 429 || code >= 500;
}
