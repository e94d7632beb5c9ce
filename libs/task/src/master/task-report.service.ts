import { Injectable, Logger } from '@nestjs/common';
import { TaskLogRepository } from './task-log.repository';
import { TaskRepository } from './task.repository';
import { DispatcherService } from './dispatcher.service';
import { SyncStatsRecord, TaskRecord, TaskStatus } from '../task.types';

export type AttemptRef = { taskId: string; attempt: number; nodeId: string };
export type ReportResult = { accepted: boolean; reason: string };
export type LogLineIn = { seq: number; tsMs: number; stream: string; text: string };

const ACCEPTED: ReportResult = { accepted: true, reason: '' };
const FINAL_REPORT_STATUSES: readonly TaskStatus[] = ['finished', 'error', 'cancelled'];

/**
 * Reports from workers, fenced by attempt: a report for an attempt the master has
 * re-queued, given to another node, or closed is refused, and the worker stops that run.
 */
@Injectable()
export class TaskReportService {
  private readonly log = new Logger(TaskReportService.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly dispatcher: DispatcherService,
  ) {}

  async ack(ref: AttemptRef): Promise<ReportResult> {
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    if (t.status === 'running' || t.ackedAt) return ACCEPTED;
    if (t.status !== 'assigned') return stale(`task is ${t.status}`);
    await this.tasks.update(ref.taskId, ref.attempt, ['assigned'], { ackedAt: new Date() });
    return ACCEPTED;
  }

  async started(ref: AttemptRef, sync: SyncStatsRecord | null): Promise<ReportResult> {
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    if (t.status === 'running') return ACCEPTED;
    if (t.status !== 'assigned') return stale(`task is ${t.status}`);
    const now = new Date();
    await this.tasks.update(ref.taskId, ref.attempt, ['assigned'], {
      status: 'running',
      startedAt: now,
      ackedAt: t.ackedAt ?? now,
      sync,
    });
    return ACCEPTED;
  }

  async finished(
    ref: AttemptRef,
    report: { status: string; exitCode: number | null; error: string | null; sync: SyncStatsRecord | null },
  ): Promise<ReportResult> {
    const status = report.status as TaskStatus;
    if (!FINAL_REPORT_STATUSES.includes(status)) return stale(`bad final status ${report.status}`);
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    if (t.status === status) return ACCEPTED; // a resent report
    if (t.status !== 'assigned' && t.status !== 'running') return stale(`task is ${t.status}`);
    await this.tasks.update(ref.taskId, ref.attempt, ['assigned', 'running'], {
      status,
      exitCode: report.exitCode,
      error: report.error,
      finishedAt: new Date(),
      ...(report.sync ? { sync: report.sync } : {}),
    });
    this.log.log({ msg: 'task ended', taskId: ref.taskId, attempt: ref.attempt, status, exitCode: report.exitCode });
    this.dispatcher.kick(); // a slot freed
    return ACCEPTED;
  }

  async appendLogs(ref: AttemptRef, lines: LogLineIn[]): Promise<ReportResult> {
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    await this.logs.append(
      lines.map((l) => ({
        taskId: ref.taskId,
        attempt: ref.attempt,
        seq: Number(l.seq),
        ts: new Date(Number(l.tsMs)),
        stream: l.stream === 'stderr' ? 'stderr' : 'stdout',
        text: l.text,
      })),
    );
    return ACCEPTED;
  }

  /** The task if `ref` is its current attempt on that node, else the refusal. */
  private async current(ref: AttemptRef): Promise<TaskRecord | ReportResult> {
    const t = await this.tasks.findById(ref.taskId);
    if (!t) return stale('unknown task');
    if (t.attempt !== ref.attempt) return stale(`attempt ${ref.attempt} is superseded by ${t.attempt}`);
    if (t.nodeId !== ref.nodeId) return stale('attempt belongs to another node');
    return t;
  }
}

function stale(reason: string): ReportResult {
  return { accepted: false, reason };
}
