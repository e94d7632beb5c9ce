import { Injectable, Logger } from '@nestjs/common';
import { TaskLogRepository } from './task-log.repository';
import { TaskRepository } from './task.repository';
import { DispatcherService } from './dispatcher.service';
import { TaskMetrics } from './task.metrics';
import { CurrentAttempts } from './current-attempts';
import { mayRetry } from '../retries';
import { AttemptResults, EnvStatsRecord, SyncStatsRecord, TaskRecord, TaskStatus } from '../task.types';

export type AttemptRef = { taskId: string; attempt: number; nodeId: string };
export type ReportResult = { accepted: boolean; reason: string };
export type LogLineIn = { seq: number; tsMs: number; stream: string; text: string };
export type FinishedReport = {
  status: string;
  exitCode: number | null;
  error: string | null;
  sync: SyncStatsRecord | null;
  environment?: EnvStatsRecord | null;
  results?: AttemptResults | null;
};

const ACCEPTED: ReportResult = { accepted: true, reason: '' };
const FINAL_REPORT_STATUSES: readonly TaskStatus[] = ['finished', 'error', 'cancelled'];
/** How long a log batch's currency check stands for the next batches of its attempt. */
const LOG_CHECK_TTL_MS = 1000;

/**
 * Reports from workers, fenced by attempt: a report for an attempt the master has
 * re-queued, given to another node, or closed is refused, and the worker stops that run.
 */
@Injectable()
export class TaskReportService {
  private readonly log = new Logger(TaskReportService.name);
  private readonly logsAccepted = new CurrentAttempts(LOG_CHECK_TTL_MS);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly dispatcher: DispatcherService,
    private readonly metrics: TaskMetrics,
  ) {}

  async ack(ref: AttemptRef): Promise<ReportResult> {
    return this.counted('ack', this.ackNow(ref));
  }

  private async ackNow(ref: AttemptRef): Promise<ReportResult> {
    // The common case is one conditional write; the read only explains a miss.
    if (await this.tasks.updateOnNode(ref.taskId, ref.attempt, ref.nodeId, ['assigned'], { ackedAt: new Date() })) return ACCEPTED;
    return this.explainMiss(ref, ['assigned', 'running']);
  }

  /**
   * From `assigned`, acknowledged or not: a worker that holds the spider's version sends no Ack
   * and lets this report carry it (it starts the command only once this is accepted).
   */
  async started(ref: AttemptRef, sync: SyncStatsRecord | null, environment: EnvStatsRecord | null = null): Promise<ReportResult> {
    return this.counted('started', this.startedNow(ref, sync, environment));
  }

  private async startedNow(ref: AttemptRef, sync: SyncStatsRecord | null, environment: EnvStatsRecord | null): Promise<ReportResult> {
    const set = { status: 'running' as const, startedAt: new Date(), ackedAt: new Date(), sync, ...(environment ? { environment } : {}) };
    const before = await this.tasks.markStarted(ref.taskId, ref.attempt, ref.nodeId, set);
    if (before) {
      this.metrics.attemptStarted(before.createdAt, set.startedAt);
      return ACCEPTED;
    }
    return this.explainMiss(ref, ['running']);
  }

  async finished(
    ref: AttemptRef,
    report: FinishedReport,
  ): Promise<ReportResult> {
    return this.counted('finished', this.finishedNow(ref, report));
  }

  private async counted(kind: 'ack' | 'started' | 'finished', r: Promise<ReportResult>): Promise<ReportResult> {
    const out = await r;
    this.metrics.reportHandled(kind, out.accepted);
    return out;
  }

  private async finishedNow(
    ref: AttemptRef,
    report: FinishedReport,
  ): Promise<ReportResult> {
    const status = report.status as TaskStatus;
    if (status === 'abnormal') return this.fencedAttempt(ref, report.error ?? 'stopped by the worker');
    if (report.status === 'handback') return this.handedBack(ref, report.error ?? 'worker shutting down');
    if (!FINAL_REPORT_STATUSES.includes(status)) return stale(`bad final status ${report.status}`);
    const set = { status, exitCode: report.exitCode, error: report.error, finishedAt: new Date(), ...(report.sync ? { sync: report.sync } : {}), ...(report.environment ? { environment: report.environment } : {}), ...(report.results ? { attemptResults: report.results } : {}) };
    this.logsAccepted.forget(ref.taskId, ref.attempt, ref.nodeId);
    if (!(await this.tasks.updateOnNode(ref.taskId, ref.attempt, ref.nodeId, ['assigned', 'running'], set))) {
      return this.explainMiss(ref, [status]);
    }
    this.log.log({ msg: 'task ended', taskId: ref.taskId, attempt: ref.attempt, status, exitCode: report.exitCode });
    this.dispatcher.released(ref.nodeId, ref.taskId, ref.attempt); // a slot freed
    return ACCEPTED;
  }

  /**
   * The worker stopped the attempt itself because it heard from no master (the fence): not the
   * task's fault, so it is handled like an orphan — queued again while `attempt <= maxRetries`,
   * else ended `abnormal`. Closing is claimed, so the reconcile cron and this report never both act.
   */
  private async fencedAttempt(ref: AttemptRef, error: string): Promise<ReportResult> {
    this.logsAccepted.forget(ref.taskId, ref.attempt, ref.nodeId);
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    const live: readonly TaskStatus[] = ['assigned', 'running'];
    if (!live.includes(t.status)) return t.status === 'abnormal' ? ACCEPTED : stale(`task is ${t.status}`);
    const done =
      mayRetry(t)
        ? await this.tasks.requeue(t, live, { attempt: t.attempt, nodeId: t.nodeId, status: 'abnormal', error, at: new Date() })
        : await this.tasks.end(t, live, 'abnormal', error);
    if (!done) return this.explainMiss(ref, ['abnormal']);
    this.log.warn({ msg: 'attempt stopped by the fence', taskId: ref.taskId, attempt: ref.attempt, retried: mayRetry(t) });
    this.dispatcher.kick();
    return ACCEPTED;
  }

  /**
   * The worker is shutting down and gave the attempt back after stopping its processes: the
   * task goes back to pending as the next attempt, to run on another node, whatever its
   * `maxRetries` (the attempt is marked `handedBack` and costs no retry). Fenced like every
   * report: only the current attempt on that node, from assigned or running, and the close is
   * claimed, so a cancel, the reconcile cron or another replica never act on it twice, and a
   * later report of this attempt is refused as superseded.
   */
  private async handedBack(ref: AttemptRef, error: string): Promise<ReportResult> {
    this.logsAccepted.forget(ref.taskId, ref.attempt, ref.nodeId);
    const t = await this.current(ref);
    if ('accepted' in t) return (await this.alreadyHandedBack(ref)) ? ACCEPTED : t;
    const live: readonly TaskStatus[] = ['assigned', 'running'];
    if (!live.includes(t.status)) return stale(`task is ${t.status}`);
    const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'pending' as const, error, at: new Date(), handedBack: true };
    if (!(await this.tasks.requeue(t, live, ended))) {
      return (await this.alreadyHandedBack(ref)) ? ACCEPTED : stale('attempt was closed meanwhile');
    }
    this.log.log({ msg: 'attempt handed back by its worker; queued again', taskId: ref.taskId, attempt: ref.attempt, nodeId: ref.nodeId });
    this.dispatcher.released(ref.nodeId, ref.taskId, ref.attempt);
    return ACCEPTED;
  }

  /** A resent hand-back whose first try landed (its reply was lost): the attempt is in the history, handed back by that node. */
  private async alreadyHandedBack(ref: AttemptRef): Promise<boolean> {
    const t = await this.tasks.findLive(ref.taskId);
    return !!t?.attempts?.some((a) => a.attempt === ref.attempt && a.nodeId === ref.nodeId && a.handedBack);
  }

  async appendLogs(ref: AttemptRef, lines: LogLineIn[]): Promise<ReportResult> {
    if (!this.logsAccepted.has(ref.taskId, ref.attempt, ref.nodeId)) {
      const t = await this.current(ref);
      if ('accepted' in t) return t;
      this.logsAccepted.remember(ref.taskId, ref.attempt, ref.nodeId);
    }
    const stored = await this.logs.append(
      ref.taskId,
      ref.attempt,
      lines.map((l) => ({
        seq: Number(l.seq),
        ts: new Date(Number(l.tsMs)),
        stream: l.stream === 'stderr' ? 'stderr' : 'stdout',
        text: l.text,
      })),
    );
    this.metrics.logLinesStored(stored);
    return ACCEPTED;
  }

  /**
   * A report's write matched nothing: either it was already applied (a resend after a
   * lost reply, the task is in one of `settled`) or the attempt is stale.
   */
  private async explainMiss(ref: AttemptRef, settled: readonly TaskStatus[]): Promise<ReportResult> {
    const t = await this.current(ref);
    if ('accepted' in t) return t;
    return settled.includes(t.status) ? ACCEPTED : stale(`task is ${t.status}`);
  }

  /** The task if `ref` is its current attempt on that node, else the refusal. */
  private async current(ref: AttemptRef): Promise<TaskRecord | ReportResult> {
    const t = await this.tasks.findLive(ref.taskId);
    if (!t) return stale('unknown task');
    if (t.attempt !== ref.attempt) return stale(`attempt ${ref.attempt} is superseded by ${t.attempt}`);
    if (t.nodeId !== ref.nodeId) return stale('attempt belongs to another node');
    return t;
  }
}

function stale(reason: string): ReportResult {
  return { accepted: false, reason };
}
