/**
 * Attempts a log batch was recently accepted for, so the next batches of the same attempt skip
 * the read that checks it is still current (a running task ships a batch every 200 ms; each
 * read is a database round trip). A superseded attempt's batches are accepted for at most
 * `ttlMs` more: they are stored under their own attempt number, so nothing of the current
 * attempt is touched, and the refusal that stops the stale run comes with the next check.
 */
export class CurrentAttempts {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  has(taskId: string, attempt: number, nodeId: string): boolean {
    const k = key(taskId, attempt, nodeId);
    const until = this.until.get(k);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(k);
    return false;
  }

  remember(taskId: string, attempt: number, nodeId: string): void {
    if (this.until.size > 10_000) this.dropExpired();
    this.until.set(key(taskId, attempt, nodeId), this.now() + this.ttlMs);
  }

  /** The attempt was closed here: its next batch is checked again. */
  forget(taskId: string, attempt: number, nodeId: string): void {
    this.until.delete(key(taskId, attempt, nodeId));
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [k, until] of this.until) if (until <= now) this.until.delete(k);
  }
}

function key(taskId: string, attempt: number, nodeId: string): string {
  return `${taskId}:${attempt}:${nodeId}`;
}
