import { Logger } from '@nestjs/common';
import type { TaskRecord } from '../task.types';
import type { PendingPool } from './pending-pool';

/**
 * How far back each incremental read looks past the start of the previous one. ObjectIds
 * carry whole seconds and come from each replica's own clock, so ids of two replicas are
 * not strictly ordered: the overlap absorbs that and small clock skew.
 */
const OVERLAP_MS = 5_000;
/** A full read of the pending tasks this often, whatever happened: the safety net. */
const RESYNC_EVERY_MS = 30_000;
/** Reads never take more than this share of the time (a read that scans is slower with a big backlog). */
const MAX_READ_SHARE = 0.2;

export type PendingSource = {
  findPending(): Promise<TaskRecord[]>;
  findPendingSince(since: Date): Promise<TaskRecord[]>;
};

/**
 * Feeds the dispatcher's PendingPool with what this replica did not create itself: tasks
 * created on other replicas and attempts re-queued anywhere. Each read asks only for what
 * was queued since the previous read (minus an overlap), so its answer is bounded by the
 * queueing rate, not the backlog. A full read runs at start, every 30 s, and after any
 * failed read (a database outage may have hidden changes). Reads are spaced so they take
 * at most a fifth of the time: on FerretDB any filter other than `_id` equality scans the
 * collection, and a 10k backlog makes each read cost about a second.
 */
export class PendingFeed {
  private readonly log = new Logger(PendingFeed.name);
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private stopped = false;
  /** Start of the last successful read; null: the next read is a full one. */
  private lastReadAt: number | null = null;
  private lastFullAt = 0;

  constructor(
    private readonly source: PendingSource,
    private readonly pool: PendingPool,
    private readonly minIntervalMs: number,
    private readonly onNew: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inflight;
  }

  /** Forces the next read to be a full one (e.g. the database came back). */
  requestResync(): void {
    this.lastReadAt = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inflight = this.readOnce().finally(() => {
        this.inflight = undefined;
      });
    }, delayMs);
  }

  private async readOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      const full = this.lastReadAt === null || startedAt - this.lastFullAt >= RESYNC_EVERY_MS;
      if (full) {
        const pending = await this.source.findPending();
        const before = this.pool.size;
        this.pool.resync(pending, startedAt);
        this.lastFullAt = startedAt;
        if (this.pool.size > 0) this.onNew();
        this.log.debug({ msg: 'pending resync', pending: pending.length, poolBefore: before, pool: this.pool.size, ms: Date.now() - startedAt });
      } else {
        const since = new Date((this.lastReadAt ?? startedAt) - OVERLAP_MS);
        let added = 0;
        for (const t of await this.source.findPendingSince(since)) if (this.pool.upsert(t)) added++;
        if (added > 0) this.onNew();
      }
      this.lastReadAt = startedAt;
    } catch (err) {
      this.lastReadAt = null;
      this.log.warn({ msg: 'pending tasks read failed; the next read is a full one', err: String(err) });
    } finally {
      const took = Date.now() - startedAt;
      this.schedule(Math.max(this.minIntervalMs, took / MAX_READ_SHARE - took));
    }
  }
}
