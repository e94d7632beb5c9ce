/**
 * Capped exponential backoff with "equal" jitter (half fixed, half random): attempt 0 waits up to `baseMs`, each
 * further attempt doubles the ceiling up to `capMs`. Jitter spreads a fleet of workers
 * reconnecting after one master restart.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
