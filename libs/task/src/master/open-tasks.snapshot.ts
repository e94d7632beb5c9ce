import { Injectable, Logger } from '@nestjs/common';
import { newestFirst } from '../archive-bucket';
import { TaskRecord } from '../task.types';
import { TaskRepository } from './task.repository';
import { DispatcherService } from './dispatcher.service';

/**
 * Up to this many open tasks the snapshot is read fresh on every call: exact while it is
 * cheap (a count, not a time, so a busy machine does not turn lists stale).
 */
const FRESH_BELOW_TASKS = 2000;
/** Above it, the last copy is served at once, and one background read starts when it is older than this. */
const REFRESH_AFTER_MS = 500;
/** ...and than this many times the last read's duration: reads take at most a fifth of the time. */
const READ_SPACING = 5;

export type OpenSnapshot = { tasks: TaskRecord[]; at: number };

/**
 * The open tasks (pending, assigned, running), newest first, for the read side (lists,
 * counts). While there are fewer than 2000, every call reads `tasks` and the queue fresh
 * (concurrent calls share one read): exact while it is cheap. With a larger backlog a scan
 * of the queue costs seconds on FerretDB (2.5 s at 10k pending, measured by the history
 * bench), so the pending part comes from the dispatcher's pool instead, the in-memory copy
 * of the backlog it dispatches from (fed by its own creates at once and by incremental reads
 * of other replicas' queueing): only `tasks` (assigned and running, bounded by the runner
 * slots) is read. The last copy is served at once while one background refresh runs, at
 * most every five refresh durations. Another replica's cancel of a pending task shows here
 * when the pool learns it (its next claim check or full resync, at most 30 s).
 */
@Injectable()
export class OpenTasksSnapshot {
  private readonly log = new Logger(OpenTasksSnapshot.name);
  private last: OpenSnapshot | null = null;
  private inflight: Promise<OpenSnapshot> | null = null;
  private lastReadMs = 0;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly dispatcher: DispatcherService,
  ) {}

  async get(): Promise<OpenSnapshot> {
    const age = this.last ? Date.now() - this.last.at : Infinity;
    if (this.last && this.last.tasks.length >= FRESH_BELOW_TASKS) {
      // A dashboard polling every second must not keep the database scanning the backlog.
      if (age > Math.max(REFRESH_AFTER_MS, READ_SPACING * this.lastReadMs)) this.refresh().catch((err: unknown) => this.log.warn({ msg: 'open task snapshot refresh failed', err: String(err) }));
      return this.last;
    }
    return this.refresh();
  }

  private refresh(): Promise<OpenSnapshot> {
    this.inflight ??= (async () => {
      const start = Date.now();
      try {
        const big = (this.last?.tasks.length ?? 0) >= FRESH_BELOW_TASKS;
        const tasks = (big ? await this.fromPool() : await this.tasks.findOpen()).sort(newestFirst);
        this.last = { tasks, at: start };
        this.lastReadMs = Date.now() - start;
        return this.last;
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }

  /** Assigned and running from `tasks`, pending from the dispatcher's pool; `tasks` wins for a task in both. */
  private async fromPool(): Promise<TaskRecord[]> {
    const active = await this.tasks.findActive();
    const inTasks = new Set(active.map((t) => String(t._id)));
    return [...active, ...this.dispatcher.pendingKnown().filter((t) => !inTasks.has(String(t._id)))];
  }
}
