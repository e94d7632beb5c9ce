import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { join } from 'node:path';
import { AssignmentMsg, backoffDelay, CancelMsg, FENCE_KILL_GRACE_MS, MasterLinkClient } from '@crawlnest/node';
import { EnvironmentService, EnvStageStats, HeldSync, PreparedEnvironments, SpiderSyncService, SyncStats } from '@crawlnest/sync';
import { LogShipper } from './log-shipper';
import { startTaskProcess, TaskProcess } from './process-group';
import { ProcessGroupRecords } from './process-group-records';
import { killGraceMsOf } from './kill-grace';
import { RESULT_CAPTURE_FACTORY, ResultCaptureFactory } from './result-capture';
import type { AttemptResults } from '../task.types';
import { readTaskOutput } from './task-output.reader';
import { Ref, TaskReporterClient } from './task-reporter.client';
import { ackFoldWindowMs, DeferredAck } from './deferred-ack';
import { TASK_WORKER_OPTIONS, TaskWorkerOptions } from './task-worker.options';

/**
 * `abnormal`: stopped by the fence; the master retries it like an orphan.
 * `handback`: stopped by a graceful stop of this worker; the master runs it again elsewhere.
 */
type FinalStatus = 'finished' | 'error' | 'cancelled' | 'abnormal' | 'handback';

type Run = {
  a: AssignmentMsg;
  ref: Ref;
  proc?: TaskProcess;
  /** Why the run is being stopped, once it is. */
  stopReason?: { status: FinalStatus; error: string };
  /** The master no longer wants this attempt: report nothing more. */
  abandoned: boolean;
  /** What the environment stage did, for the task view. */
  environment?: EnvStageStats | null;
  /** The command has exited (its outcome is decided). */
  exited?: boolean;
  /** When SIGKILL is due, once SIGTERM was sent (a fence may bring it forward). */
  killDueAt?: number;
  killTimer?: NodeJS.Timeout;
  /** The Ack waiting to ride on the Started report (the worker held the spider's version). */
  deferredAck?: DeferredAck;
  /** The Started report was sent (and accepted) before the command started. */
  startReported?: boolean;
  /** The master's answers for the attempt's items, taken once they were all answered. */
  results?: AttemptResults | null;
  done: Promise<void>;
};

/** A log line is kept up to this many bytes, then cut with a visible marker (under the shipper's 64 Ki-character clip). */
const LOG_LINE_CAP_BYTES = 64 * 1024 - 512;
const DEFAULT_RESULT_LINE_BYTES = 16 * 1024 * 1024;

/** Environment variables of the worker that a task must not see. */
const PRIVATE_ENV = ['CRAWLNEST_CLUSTER_SECRET', 'CRAWLNEST_API_TOKEN'];
/**
 * Once the worker is gone, a task's lifeline watcher gives the group its kill grace, at most this
 * long, before SIGKILL: whatever the task's grace, its processes are gone within about a
 * second of the worker's death, well before the master may run the task elsewhere.
 */
const LIFELINE_GRACE_CAP_MS = 1000;

/**
 * Runs assignments: ack, sync the spider's files, start the command in its own process
 * group, ship its logs, report how it ended. Every report names the attempt, and a refusal
 * from the master (the attempt is stale) stops the run.
 */
@Injectable()
export class TaskRunnerService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TaskRunnerService.name);
  private readonly runs = new Map<string, Run>();
  private accepting = true;
  private groups!: ProcessGroupRecords;

  constructor(
    private readonly link: MasterLinkClient,
    private readonly reporter: TaskReporterClient,
    private readonly sync: SpiderSyncService,
    private readonly envs: EnvironmentService,
    @Inject(TASK_WORKER_OPTIONS) private readonly opts: TaskWorkerOptions,
    @Optional() @Inject(RESULT_CAPTURE_FACTORY) private readonly resultCapture?: ResultCaptureFactory,
  ) {}

  /** Before the link connects: what a previous life of this worker left running is killed first. */
  onModuleInit(): void {
    this.groups = new ProcessGroupRecords(this.opts.workspace);
    const { killed, skipped } = this.groups.killLeftovers();
    if (killed.length || skipped.length) {
      this.log.warn({ msg: 'process groups of the previous worker checked', killed: killed.length, goneOrReused: skipped.length });
    }
  }

  onApplicationBootstrap(): void {
    this.link.setStateProvider(() => ({
      ready: this.accepting,
      running: [...this.runs.values()].map((r) => ({ taskId: r.a.taskId, attempt: r.a.attempt })),
      freeSlots: Math.max(0, this.opts.maxRunners - this.runs.size),
    }));
    this.link.events.on('assignment', (a) => this.accept(a));
    this.link.events.on('cancel', (c) => this.cancel(c));
    this.link.events.on('fenced', (silentMs, fenceMs) => this.fence(silentMs, fenceMs));
  }

  /**
   * No master heard for the fence time: the master will soon treat these runs as orphans and
   * may start them elsewhere, so they stop now, with a short grace whatever their own. Their
   * logs stay spilled and their final report waits for a master, which accepts it or refuses
   * the stale attempt.
   */
  private fence(silentMs: number, fenceMs: number): void {
    for (const r of this.runs.values()) {
      if (r.exited) continue;
      const why = `fenced: no master heard for ${silentMs} ms (CRAWLNEST_FENCE_MS=${fenceMs}); stopped so that another node may run it`;
      this.stop(r, 'abnormal', why, FENCE_KILL_GRACE_MS);
    }
  }

  /**
   * Graceful stop (SIGTERM): take no more tasks and say so at once (the master stops
   * dispatching here), let running tasks end within `drainMs`, then stop the rest (SIGTERM,
   * SIGKILL after the kill grace) and hand them back to the master, which runs them again
   * elsewhere as a new attempt that uses no retry; with `shutdownMode: 'cancel'` they end
   * cancelled instead. Either way the report comes after the task's processes are gone, so
   * its next attempt never overlaps this one. Resolves when every run has shipped its logs
   * and reported how it ended, while the link to the master is still up.
   */
  async drain(drainMs: number): Promise<{ finished: number; handedBack: number; cancelled: number }> {
    this.accepting = false;
    this.link.pushState();
    const atStart = this.runs.size;
    const allDone = () => Promise.all([...this.runs.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      allDone().then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), drainMs))),
    ]);
    clearTimeout(timer);
    const stopped = inTime ? 0 : this.runs.size;
    this.stopAll(`still running after the ${drainMs} ms drain window (CRAWLNEST_DRAIN_MS)`);
    await allDone();
    const handingBack = this.shutdownMode() === 'handback';
    return { finished: atStart - stopped, handedBack: handingBack ? stopped : 0, cancelled: handingBack ? 0 : stopped };
  }

  /** Without a drain (e.g. a test closing the app), stop at once: same reports, no wait. */
  async onApplicationShutdown(): Promise<void> {
    this.accepting = false;
    this.stopAll('stopped without a drain window');
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private shutdownMode(): 'handback' | 'cancel' {
    return this.opts.shutdownMode ?? 'handback';
  }

  /** Every run stopped for the worker's shutdown: handed back, or cancelled (CRAWLNEST_SHUTDOWN_MODE). */
  private stopAll(why: string): void {
    const handback = this.shutdownMode() === 'handback';
    const error = handback
      ? `worker shutting down: ${why}; handed back to run again on another node (CRAWLNEST_SHUTDOWN_MODE=handback)`
      : `worker shutting down: ${why}`;
    for (const r of this.runs.values()) this.stop(r, handback ? 'handback' : 'cancelled', error);
  }

  private accept(a: AssignmentMsg): void {
    const existing = this.runs.get(a.taskId);
    if (existing && existing.a.attempt === a.attempt) return; // duplicate delivery
    if (existing) {
      existing.abandoned = true;
      this.stop(existing, 'error', `superseded by attempt ${a.attempt}`);
    }
    if (!this.accepting || this.runs.size >= this.opts.maxRunners) {
      // Not acknowledged: the master re-queues it after its ack timeout.
      this.log.warn({ msg: 'assignment declined: no free slot', taskId: a.taskId, attempt: a.attempt });
      return;
    }
    const run: Run = { a, ref: this.reporter.ref(a), abandoned: false, done: Promise.resolve() };
    this.runs.set(a.taskId, run);
    run.done = this.execute(run)
      .catch((err) => this.log.error({ msg: 'task run failed', taskId: a.taskId, err: String(err) }))
      .finally(() => {
        if (this.runs.get(a.taskId) === run) this.runs.delete(a.taskId);
        this.link.pushState(); // a slot freed: tell the master now
      });
  }

  private cancel(c: CancelMsg): void {
    const run = this.runs.get(c.taskId);
    // Once the process has exited the outcome is decided; a late cancel changes nothing.
    if (run && run.a.attempt === c.attempt && !run.exited) this.stop(run, 'cancelled', c.reason || 'cancelled');
  }

  /**
   * SIGTERM to the process group, SIGKILL after the grace (the task's, else the spider's, else
   * the worker's). A later stop with a shorter cap (the fence) brings the SIGKILL forward.
   */
  private stop(run: Run, status: FinalStatus, error: string, graceCapMs = Infinity): void {
    if (!run.stopReason) run.stopReason = { status, error };
    const proc = run.proc;
    if (!proc) return;
    const graceMs = Math.min(killGraceMsOf(run.a, this.opts.killGraceMs), graceCapMs);
    const dueAt = Date.now() + graceMs;
    if (run.killDueAt !== undefined && run.killDueAt <= dueAt) return;
    if (run.killDueAt === undefined) {
      proc.signal('SIGTERM');
      void proc.exited.finally(() => {
        clearTimeout(run.killTimer);
        proc.signal('SIGKILL'); // grandchildren that ignored SIGTERM outlive the shell
      });
    }
    run.killDueAt = dueAt;
    clearTimeout(run.killTimer);
    run.killTimer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
  }

  private async execute(run: Run): Promise<void> {
    const { a, ref } = run;
    const sendAck = () => this.reporter.untilAnswered('ack', () => this.reporter.ack(ref), () => !this.accepting);
    if (this.sync.holds(a.spiderId, a.spiderVersion)) {
      // The start is milliseconds away: its report carries the ack (one report instead of two).
      run.deferredAck = new DeferredAck(sendAck, ackFoldWindowMs(a.ackTimeoutMs));
    } else {
      const ack = await sendAck();
      if (!ack.accepted) {
        this.log.warn({ msg: 'assignment refused by master', taskId: a.taskId, attempt: a.attempt, reason: ack.reason });
        return;
      }
    }
    let synced: HeldSync;
    try {
      synced = await this.sync.sync(this.opts.workspace, a.spiderId, a.spiderVersion);
    } catch (err) {
      await this.finish(run, 'error', null, `file sync failed: ${err instanceof Error ? err.message : String(err)}`, null);
      return;
    }
    // The version's directory stays exactly as synced until the run has ended.
    try {
      await this.runSynced(run, synced.dir, synced.stats);
    } finally {
      synced.release();
    }
  }

  private async runSynced(run: Run, dir: string, stats: SyncStats): Promise<void> {
    const { a, ref } = run;
    const stoppedDuringSync = run.stopReason as Run['stopReason']; // set by a cancel that arrived meanwhile
    if (stoppedDuringSync) {
      await this.finish(run, stoppedDuringSync.status, null, stoppedDuringSync.error, stats);
      return;
    }

    const shipper = new LogShipper(
      (lines) => this.reporter.appendLogs(ref, lines),
      this.opts.logBatchMs,
      (reason) => {
        run.abandoned = true;
        this.stop(run, 'error', `attempt refused by master: ${reason}`);
      },
      (n) => backoffDelay(n, 100, 2000),
      join(this.opts.workspace, 'log-spill', `${a.taskId}-${a.attempt}.jsonl`),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of PRIVATE_ENV) delete env[k];
    for (const kv of a.env) env[kv.key] = kv.value;
    env.CRAWLNEST_TASK_ID = a.taskId;
    env.CRAWLNEST_TASK_ATTEMPT = String(a.attempt);
    // The spider's dependency environments (requirements.txt, package.json): built or reused, held until the end.
    let envs: PreparedEnvironments;
    try {
      envs = await this.envs.prepare(dir, (line) => shipper.push('stdout', line));
    } catch (err) {
      await shipper.close();
      await this.finish(run, 'error', null, `environment build failed: ${err instanceof Error ? err.message : String(err)}`, stats);
      return;
    }
    run.environment = envs.stats;
    let admitted = false;
    try {
      admitted = await this.admitted(run, stats);
    } finally {
      // Refused or failed: nothing runs, so what was held for the run goes now.
      if (!admitted) {
        envs.release();
        await shipper.close();
      }
    }
    if (!admitted) return;
    const stoppedDuringEnv = run.stopReason as Run['stopReason'];
    if (stoppedDuringEnv) {
      envs.release();
      await shipper.close();
      await this.finish(run, stoppedDuringEnv.status, null, stoppedDuringEnv.error, stats);
      return;
    }
    envs.apply(env);
    const proc = startTaskProcess(a.command, dir, env, Math.min(killGraceMsOf(a, this.opts.killGraceMs), LIFELINE_GRACE_CAP_MS));
    void proc.exited.finally(() => envs.release());
    run.proc = proc;
    const pgid = proc.pgid;
    if (pgid) this.groups.record(pgid, a.taskId, a.attempt);
    const results = this.resultCapture?.open({
      taskId: a.taskId,
      attempt: a.attempt,
      nodeId: ref.nodeId,
      workspace: this.opts.workspace,
      log: (text) => shipper.push('stdout', text),
      onRefused: (reason) => {
        run.abandoned = true;
        this.stop(run, 'error', `attempt refused by master: ${reason}`);
      },
    });
    const sink = { log: (kind: 'stdout' | 'stderr', text: string) => shipper.push(kind, text), results };
    const limits = { logCapBytes: LOG_LINE_CAP_BYTES, resultCapBytes: this.opts.maxResultLineBytes ?? DEFAULT_RESULT_LINE_BYTES };
    const pipes = [readTaskOutput(proc.stdout, 'stdout', sink, limits), readTaskOutput(proc.stderr, 'stderr', sink, limits)];
    const timeout =
      a.timeoutSec > 0 ? setTimeout(() => this.stop(run, 'error', `timed out after ${a.timeoutSec} s`), a.timeoutSec * 1000) : undefined;

    // Reports of one attempt go one at a time: on FerretDB an update is a read then a
    // write, so a Started landing after Finished could turn an ended task back to running.
    const startedReported = run.startReported
      ? Promise.resolve()
      : this.reporter
      .untilAnswered('started', () => this.reporter.started(ref, pgid ?? 0, stats, run.environment), () => run.abandoned)
      .then((r) => {
        if (!r.accepted) {
          run.abandoned = true;
          this.stop(run, 'error', `attempt refused by master: ${r.reason}`);
        }
      })
      .catch(() => undefined);

    const exit = await proc.exited;
    run.exited = true;
    // What the task left behind in its group (daemonised children) ends with it.
    proc.signal('SIGKILL');
    if (pgid) this.groups.remove(pgid);
    if (timeout) clearTimeout(timeout);
    await Promise.all(pipes);
    await results?.close(); // before the log closes: it writes the results summary there
    run.results = results?.tally() ?? null;
    // A stopped task says so in its own log (cancelled, timed out, worker shutting down): the
    // last line a reader sees, not only a field on the task.
    const stopped = run.stopReason as Run['stopReason'];
    if (stopped && !run.abandoned) shipper.push('stderr', `[crawlnest] task ${stopped.status === 'cancelled' ? 'cancelled' : 'stopped'}: ${stopped.error}`);
    await shipper.close();
    await startedReported;
    const reason = run.stopReason as Run['stopReason'];
    if (reason) await this.finish(run, reason.status, exit.code, reason.error, stats);
    else if (exit.code === 0) await this.finish(run, 'finished', 0, null, stats);
    else if (exit.signal) await this.finish(run, 'error', null, `killed by signal ${exit.signal}`, stats);
    else await this.finish(run, 'error', exit.code, `exit code ${exit.code}`, stats);
  }

  /**
   * Whether the master accepted the attempt before its command starts, for a run whose ack was
   * deferred: the folded Started report's answer, or the Ack's when the window ran out first.
   * A run acknowledged before its sync is accepted already.
   */
  private async admitted(run: Run, stats: SyncStats): Promise<boolean> {
    const deferred = run.deferredAck;
    if (!deferred) return true;
    const next = deferred.takeForStart();
    const r = next.fold
      ? await this.reporter.untilAnswered('started', () => this.reporter.started(run.ref, 0, stats, run.environment), () => !this.accepting)
      : await next.ack;
    if (next.fold) run.startReported = true;
    if (r.accepted) return true;
    run.abandoned = true;
    this.log.warn({ msg: 'assignment refused by master', taskId: run.a.taskId, attempt: run.a.attempt, reason: r.reason, folded: next.fold });
    return false;
  }

  private async finish(run: Run, status: FinalStatus, exitCode: number | null, error: string | null, sync: SyncStats | null): Promise<void> {
    run.deferredAck?.cancel();
    if (run.abandoned) {
      this.log.log({ msg: 'task ended; the master refused the attempt (stale), nothing to report', taskId: run.a.taskId, attempt: run.a.attempt, status });
      return;
    }
    const r = await this.reporter.untilAnswered('finished', () =>
      this.reporter.finished(run.ref, { status, exitCode, error, sync, environment: run.environment, results: run.results ?? null }),
    );
    this.log.log({ msg: 'task ended', taskId: run.a.taskId, attempt: run.a.attempt, status, exitCode, accepted: r.accepted });
  }
}
