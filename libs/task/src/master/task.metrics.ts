import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Metric } from 'prom-client';
import { LastGoodSnapshot } from '../last-good-snapshot';
import { TASK_STATUSES } from '../task.types';
import { TaskService, TaskStats } from './task.service';

/** A scrape waits this long for the task counts before serving the last ones. */
const STATS_TIMEOUT_MS = 3000;

/**
 * Task metrics of this replica. Counts by status come from `TaskService.stats()` once per
 * scrape (shared by the gauges that need it); if the database does not answer, the last
 * values stay. The metrics belong to no registry: the app registers `metrics()` in its own.
 */
@Injectable()
export class TaskMetrics {
  private readonly log = new Logger(TaskMetrics.name);
  private readonly stats: LastGoodSnapshot<TaskStats>;
  private readonly byStatus: Gauge<'status'>;
  private readonly stuckPending: Gauge;
  private readonly oldestPending: Gauge;
  private readonly dispatchLatency = new Histogram({
    name: 'crawlnest_task_dispatch_latency_seconds',
    help: 'From task creation to its attempt running (assignment, acknowledgement and file sync included), per attempt start recorded on this replica',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [],
  });
  private readonly logLines = new Counter({
    name: 'crawlnest_task_log_lines_stored_total',
    help: 'Task log lines stored by this replica (resent lines already stored are not counted)',
    registers: [],
  });

  private readonly reports = new Counter({
    name: 'crawlnest_task_reports_total',
    help: 'Worker reports handled by this replica, by kind (ack, started, finished; log batches are not counted) and outcome (accepted or refused)',
    labelNames: ['kind', 'outcome'],
    registers: [],
  });

  constructor(service: TaskService) {
    this.stats = new LastGoodSnapshot(() => service.stats(), STATS_TIMEOUT_MS, (err) =>
      this.log.warn({ msg: 'task counts unavailable for metrics; serving the last ones', err: String(err) }),
    );
    this.byStatus = new Gauge({
      name: 'crawlnest_tasks',
      help: 'Tasks by status (whole cluster, from the database)',
      labelNames: ['status'],
      registers: [],
      collect: async () => {
        const s = await this.stats.get();
        if (s) for (const status of TASK_STATUSES) this.byStatus.set({ status }, s.tasks[status] ?? 0);
      },
    });
    this.stuckPending = new Gauge({
      name: 'crawlnest_tasks_stuck_pending',
      help: 'Pending tasks older than CRAWLNEST_STUCK_PENDING_MS',
      registers: [],
      collect: async () => {
        const s = await this.stats.get();
        if (s) this.stuckPending.set(s.stuckPending);
      },
    });
    this.oldestPending = new Gauge({
      name: 'crawlnest_tasks_oldest_pending_age_seconds',
      help: 'Age of the oldest pending task (0 when none is pending)',
      registers: [],
      collect: async () => {
        const s = await this.stats.get();
        if (s) this.oldestPending.set(s.oldestPendingAgeMs / 1000);
      },
    });
  }

  /** An attempt's start was recorded here (once per attempt): how long its task waited since creation. */
  attemptStarted(createdAt: Date, startedAt: Date): void {
    this.dispatchLatency.observe(Math.max(0, startedAt.getTime() - new Date(createdAt).getTime()) / 1000);
  }

  /** A worker report handled here (the dispatch benchmark reads these beside the round trips). */
  reportHandled(kind: 'ack' | 'started' | 'finished' | 'logs', accepted: boolean): void {
    this.reports.inc({ kind, outcome: accepted ? 'accepted' : 'refused' });
  }

  logLinesStored(count: number): void {
    if (count > 0) this.logLines.inc(count);
  }

  metrics(): Metric[] {
    return [this.byStatus, this.stuckPending, this.oldestPending, this.dispatchLatency, this.logLines, this.reports];
  }
}
