import { Injectable, Logger } from '@nestjs/common';
import { newestFirst } from '../archive-bucket';
import { TaskRecord } from '../task.types';
import { TaskRepository } from './task.repository';

/**
 * Up to this many open tasks the snapshot is read fresh on every call: exact while it is
 * cheap (a count, not a time, so a busy machine does not turn lists stale).
 */
const FRESH_BELOW_TASKS = 2000;
/** Above it, a copy this old is served at once and refreshed in the background. */
const SERVE_STALE_MS = 5000;
const REFRESH_AFTER_MS = 500;

export type OpenSnapshot = { tasks: TaskRecord[]; at: number };

/**
 * The open tasks (pending, assigned, running), newest first, for the read side (lists,
 * counts). Reading the open collection is one scan; while it holds fewer than 2000 tasks
 * every call reads it fresh (concurrent calls share one read). With a larger backlog (10k
 * pending costs ~0.5 s on FerretDB) the last copy, at most 5 s old, is served at once while
 * one background read refreshes it.
 */
@Injectable()
export class OpenTasksSnapshot {
  private readonly log = new Logger(OpenTasksSnapshot.name);
  private last: OpenSnapshot | null = null;
  private inflight: Promise<OpenSnapshot> | null = null;

  constructor(private readonly tasks: TaskRepository) {}

  async get(): Promise<OpenSnapshot> {
    const age = this.last ? Date.now() - this.last.at : Infinity;
    if (this.last && this.last.tasks.length >= FRESH_BELOW_TASKS && age < SERVE_STALE_MS) {
      if (age > REFRESH_AFTER_MS) this.refresh().catch((err: unknown) => this.log.warn({ msg: 'open task snapshot refresh failed', err: String(err) }));
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
        return this.last;
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }
}
