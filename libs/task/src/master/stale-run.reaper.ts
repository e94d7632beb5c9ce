import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry } from '@crawlnest/node';
import { TaskRepository } from './task.repository';
import { ACTIVE_STATUSES } from '../task.types';

/**
 * Fencing, the worker side of it: every heartbeat lists the attempts a worker runs. Any
 * attempt the database no longer considers current on that node (cancelled through another
 * replica, re-queued, declared abnormal, timed out) is told to stop. This is also how a
 * cancel made on replica B reaches a worker connected to replica A.
 */
@Injectable()
export class StaleRunReaper {
  private readonly log = new Logger(StaleRunReaper.name);
  private busy = false;

  constructor(
    private readonly registry: ControlStreamRegistry,
    private readonly tasks: TaskRepository,
  ) {}

  @Interval(500)
  async reap(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const sessions = this.registry.all().filter((s) => s.running.length > 0);
      if (sessions.length === 0) return;
      for (const s of sessions) {
        for (const r of s.running) {
          // One read by _id per running attempt: the lookup FerretDB serves from its index.
          const fresh = await this.tasks.findById(r.taskId);
          if (fresh && fresh.attempt === r.attempt && fresh.nodeId === s.nodeId && ACTIVE_STATUSES.includes(fresh.status)) continue;
          const reason = !fresh ? 'task no longer exists' : fresh.attempt !== r.attempt ? `attempt ${r.attempt} superseded by ${fresh.attempt}` : `task is ${fresh.status}`;
          this.log.log({ msg: 'stopping a stale run', taskId: r.taskId, attempt: r.attempt, nodeId: s.nodeId, reason });
          this.registry.send(s.nodeId, { cancel: { taskId: r.taskId, attempt: r.attempt, reason } });
        }
      }
    } catch (err) {
      this.log.warn({ msg: 'stale run check failed', err: String(err) });
    } finally {
      this.busy = false;
    }
  }
}
