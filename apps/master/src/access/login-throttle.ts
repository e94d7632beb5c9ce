/**
 * Failed sign-ins per key (`user:<name>`, `ip:<address>`) within a sliding window. Kept in
 * this replica's memory: behind N replicas a guesser gets at most N × the limit per window,
 * still far too few for a 12-character password; the audit log keeps every attempt.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before the next attempt on any of `keys`, or 0. */
  retryAfterSec(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const k of keys) {
      const recent = this.recent(k, t);
      if (recent.length >= this.max) wait = Math.max(wait, recent[recent.length - this.max] + this.windowMs - t);
    }
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) this.failures.set(k, [...this.recent(k, t), t]);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((at) => at > t - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}
