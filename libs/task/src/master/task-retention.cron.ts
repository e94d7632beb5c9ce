import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnePass } from '@crawlnest/node';
import { bucketEndMs, bucketOfId } from '../archive-bucket';
import { endedTotal } from '../task-counts';
import { TaskRecord } from '../task.types';
import { ClaimRepository } from './claim.repository';
import { OpenTasksSnapshot } from './open-tasks.snapshot';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { TaskLogRepository } from './task-log.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

const DAY_MS = 86_400_000;
/** An hour is dropped whole only once it is this far behind: no task of it can still be open unseen. */
const DROP_WHOLE_AFTER_MS = 2 * 3_600_000;
/** Between two hours at least this long, so a long purge leaves the database to dispatch and reports. */
const PAUSE_MS = 25;
/**
 * ...and this many times what the last hour took: a purge holds the database at most a third of
 * its time. Each dropped hour is several SQLite schema changes and write locks on a database of
 * ~1500 tables (a month of hours): purging 15 days of a 100k history back to back stalled
 * create→running (`npm run bench history`: p50 0.6 s → 2 s, p99 0.9 s → 23 s).
 */
const PAUSE_PER_WORK = 2;

export type RetentionResult = { hoursDropped: number; tasksRemoved: number };

/**
 * Removes ended tasks and their log lines past CRAWLNEST_TASK_RETENTION_DAYS (by creation
 * hour) or beyond the newest CRAWLNEST_TASK_RETENTION_MAX, oldest hour first, one replica
 * per interval (claimed by insert). An old hour without open tasks is dropped as two
 * collections (no per-document deletes, no long scan); an hour that still holds an open
 * task, or a partly needed one, loses only its ended tasks. Open tasks, their logs and the
 * spiders' results are never touched.
 */
@Injectable()
export class TaskRetentionCron implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(TaskRetentionCron.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new OnePass();

  constructor(
    private readonly archive: TaskArchiveRepository,
    private readonly logs: TaskLogRepository,
    private readonly counters: TaskCountersService,
    private readonly open: OpenTasksSnapshot,
    private readonly claims: ClaimRepository,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  onModuleInit(): void {
    const r = this.opts.retention;
    if (!r || (r.days === 0 && r.max === 0)) return;
    this.timer = setInterval(() => void this.pass.run(() => this.tick()), r.intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return this.pass.stop();
  }

  private async tick(): Promise<void> {
    try {
      const slot = Math.floor(Date.now() / this.opts.retention.intervalMs);
      if (!(await this.claims.tryClaim(`retention:${slot}`, this.opts.replicaId))) return;
      const r = await this.runOnce();
      if (r.tasksRemoved > 0) this.log.log({ msg: 'task retention pass', ...r });
    } catch (err) {
      this.log.warn({ msg: 'task retention pass failed; retried next interval', err: String(err) });
    }
  }

  /** One pass (also called by the benchmark). */
  async runOnce(now = Date.now()): Promise<RetentionResult> {
    const { days, max } = this.opts.retention;
    const openHours = new Set((await this.open.get()).tasks.map((t) => bucketOfId(String(t._id))));
    let endedLeft = max > 0 ? endedTotal((await this.counters.totals()).ended) : 0;
    const result: RetentionResult = { hoursDropped: 0, tasksRemoved: 0 };
    let listed: string[] | undefined;
    for (const hour of [...(await this.archive.buckets())].reverse()) {
      const hourStart = Date.now();
      const expired = days > 0 && bucketEndMs(hour) <= now - days * DAY_MS;
      const excess = max > 0 ? endedLeft - max : 0;
      if (!expired && excess <= 0) break; // hours are oldest first: no later one qualifies either
      const ended = await this.archive.findInBucket(hour, {});
      const wholeHour = expired || ended.length <= excess;
      let removed = ended;
      if (wholeHour && !openHours.has(hour) && bucketEndMs(hour) <= now - DROP_WHOLE_AFTER_MS) {
        // One listing per pass for the hours' log tables (see dropBucket).
        listed ??= await this.archive.collectionNames();
        await this.archive.dropBucket(hour, listed);
        result.hoursDropped++;
        await this.counters.recordPurged(ended);
      } else {
        if (!wholeHour) removed = [...ended].sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1)).slice(0, excess);
        await this.removeTasks(hour, removed);
      }
      result.tasksRemoved += removed.length;
      endedLeft -= removed.length;
      await new Promise((r) => setTimeout(r, Math.max(PAUSE_MS, PAUSE_PER_WORK * (Date.now() - hourStart))));
    }
    return result;
  }

  private async removeTasks(hour: string, tasks: TaskRecord[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.logs.deleteForTasks(tasks.map((t) => String(t._id)));
    await this.archive.deleteInBucket(hour, tasks.map((t) => t._id));
    await this.counters.recordPurged(tasks);
  }
}
