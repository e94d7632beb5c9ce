import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry, OnePass } from '@crawlnest/node';
import { TaskRepository } from './task.repository';
import { ACTIVE_STATUSES } from '../task.types';

/**
 * One attempt is checked at most this often. The cancel made on the worker's own replica is
 * sent at once; this check catches what other replicas changed, so it bounds how long such a
 * change takes to reach the worker, against one read per running attempt per check.
 */
const RECHECK_MS = 2000;

/**
 * Fencing, the worker side of it: every heartbeat lists the attempts a worker runs. Any
 * attempt the database no longer considers current on that node (cancelled through another
 * replica, re-queued, declared abnormal, timed out) is told to stop. This is also how a
 * cancel made on replica B reaches a worker connected to replica A.
 */
@Injectable()
export class StaleRunReaper implements OnModuleDestroy {
  private readonly log = new Logger(StaleRunReaper.name);
  private readonly pass = new OnePass();
  /** `<node>:<task>:<attempt>` → when it was last found current. */
  private checkedAt = new Map<string, number>();

  constructor(
    private readonly registry: ControlStreamRegistry,
    private readonly tasks: TaskRepository,
  ) {}

  onModuleDestroy(): Promise<void> {
    return this.pass.stop();
  }

  @Interval(500)
  reap(): Promise<void> {
    return this.pass.run(() => this.reapOnce());
  }

  private async reapOnce(): Promise<void> {
    try {
      const sessions = this.registry.all().filter((s) => s.running.length > 0);
      const now = Date.now();
      const checked = new Map<string, number>();
      for (const s of sessions) {
        for (const r of s.running) {
          const key = `${s.nodeId}:${r.taskId}:${r.attempt}`;
          // A start written here found the attempt current: that counts as its first check.
          const last = this.checkedAt.get(key) ?? this.tasks.startConfirmedAt(r.taskId, r.attempt, s.nodeId);
          if (last !== undefined && now - last < RECHECK_MS) {
            checked.set(key, last);
            continue;
          }
          // One read by _id per running attempt (the lookup FerretDB serves from its index); the archive only on a miss.
          const fresh = await this.tasks.findLive(r.taskId);
          if (fresh && fresh.attempt === r.attempt && fresh.nodeId === s.nodeId && ACTIVE_STATUSES.includes(fresh.status)) {
            checked.set(key, now);
            continue;
          }
          const reason = !fresh ? 'task no longer exists' : fresh.attempt !== r.attempt ? `attempt ${r.attempt} superseded by ${fresh.attempt}` : `task is ${fresh.status}`;
          this.log.log({ msg: 'stopping a stale run', taskId: r.taskId, attempt: r.attempt, nodeId: s.nodeId, reason });
          this.registry.send(s.nodeId, { cancel: { taskId: r.taskId, attempt: r.attempt, reason } });
        }
      }
      this.checkedAt = checked; // runs no longer listed are forgotten
    } catch (err) {
      this.log.warn({ msg: 'stale run check failed', err: String(err) });
    }
  }
}
