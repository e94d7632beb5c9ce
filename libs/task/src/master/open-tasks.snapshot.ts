import { Injectable, Logger } from '@nestjs/common';
import { newestFirst } from '../archive-bucket';
import { TaskRecord } from '../task.types';
import { TaskRepository } from './task.repository';

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
 * counts). Reading the open collection is one scan; while it holds fewer than 2000 tasks
 * every call reads it fresh (concurrent calls share one read). With a larger backlog (10k
 * pending costs ~0.5 s on an idle FerretDB, many seconds on a busy one) the last copy is
 * served at once while one background read refreshes it, at most every five read durations
 * (reads take at most a fifth of the time): it is as old as about five reads.
 */
@Injectable()
export class OpenTasksSnapshot {
  private readonly log = new Logger(OpenTasksSnapshot.name);
  private last: OpenSnapshot | null = null;
  private inflight: Promise<OpenSnapshot> | null = null;
  private lastReadMs = 0;

  constructor(private readonly tasks: TaskRepository) {}

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
        const tasks = (await this.tasks.findOpen()).sort(newestFirst);
        this.last = { tasks, at: start };
        this.lastReadMs = Date.now() - start;
        return this.last;
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }
}
