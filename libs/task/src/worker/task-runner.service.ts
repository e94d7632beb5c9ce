import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AssignmentMsg, backoffDelay, CancelMsg, MasterLinkClient } from '@crawlnest/node';
import { EnvironmentService, EnvStageStats, PreparedEnvironments, SpiderSyncService, SyncStats } from '@crawlnest/sync';
import { LogShipper } from './log-shipper';
import { startTaskProcess, TaskProcess } from './process-group';
import { Ref, TaskReporterClient } from './task-reporter.client';
import { TASK_WORKER_OPTIONS, TaskWorkerOptions } from './task-worker.options';

type FinalStatus = 'finished' | 'error' | 'cancelled';

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
  done: Promise<void>;
};

/** Environment variables of the worker that a task must not see. */
const PRIVATE_ENV = ['CRAWLNEST_CLUSTER_SECRET', 'CRAWLNEST_API_TOKEN'];

/**
 * Runs assignments: ack, sync the spider's files, start the command in its own process
 * group, ship its logs, report how it ended. Every report names the attempt, and a refusal
 * from the master (the attempt is stale) stops the run.
 */
@Injectable()
export class TaskRunnerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(TaskRunnerService.name);
  private readonly runs = new Map<string, Run>();
  private accepting = true;

  constructor(
    private readonly link: MasterLinkClient,
    private readonly reporter: TaskReporterClient,
    private readonly sync: SpiderSyncService,
    private readonly envs: EnvironmentService,
    @Inject(TASK_WORKER_OPTIONS) private readonly opts: TaskWorkerOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.link.setStateProvider(() => ({
      ready: this.accepting,
      running: [...this.runs.values()].map((r) => ({ taskId: r.a.taskId, attempt: r.a.attempt })),
      freeSlots: Math.max(0, this.opts.maxRunners - this.runs.size),
    }));
    this.link.events.on('assignment', (a) => this.accept(a));
    this.link.events.on('cancel', (c) => this.cancel(c));
  }

  /**
   * Graceful stop (SIGTERM): take no more tasks and say so at once (the master stops
   * dispatching here), let running tasks end within `drainMs`, then cancel the rest with a
   * reason. Resolves when every run has shipped its logs and reported how it ended, while
   * the link to the master is still up.
   */
  async drain(drainMs: number): Promise<{ finished: number; cancelled: number }> {
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
    const cancelled = inTime ? 0 : this.runs.size;
    for (const r of this.runs.values()) {
      this.stop(r, 'cancelled', `worker shutting down: still running after the ${drainMs} ms drain window (CRAWLNEST_DRAIN_MS)`);
    }
    await allDone();
    return { finished: atStart - cancelled, cancelled };
  }

  /** Without a drain (e.g. a test closing the app), stop at once: same reports, no wait. */
  async onApplicationShutdown(): Promise<void> {
    this.accepting = false;
    for (const r of this.runs.values()) this.stop(r, 'cancelled', 'worker shutting down');
    await Promise.all([...this.runs.values()].map((r) => r.done));
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

  private stop(run: Run, status: FinalStatus, error: string): void {
    if (run.stopReason) return;
    run.stopReason = { status, error };
    const proc = run.proc;
    if (!proc) return;
    proc.signal('SIGTERM');
    const t = setTimeout(() => proc.signal('SIGKILL'), this.opts.killGraceMs);
    void proc.exited.finally(() => {
      clearTimeout(t);
      proc.signal('SIGKILL'); // grandchildren that ignored SIGTERM outlive the shell
    });
  }

  private async execute(run: Run): Promise<void> {
    const { a, ref } = run;
    const ack = await this.reporter.untilAnswered('ack', () => this.reporter.ack(ref), () => !this.accepting);
    if (!ack.accepted) {
      this.log.warn({ msg: 'assignment refused by master', taskId: a.taskId, attempt: a.attempt, reason: ack.reason });
      return;
    }
    let stats: SyncStats | null = null;
    let dir: string;
    try {
      const synced = await this.sync.sync(this.opts.workspace, a.spiderId, a.spiderVersion);
      stats = synced.stats;
      dir = synced.dir;
    } catch (err) {
      await this.finish(run, 'error', null, `file sync failed: ${err instanceof Error ? err.message : String(err)}`, null);
      return;
    }
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
    // The spider's dependency environments (requirements.txt, package.json): built or reused, held until the end.
    let envs: PreparedEnvironments;
    try {
      envs = await this.envs.prepare(dir, (line) => shipper.push('stdout', line));
    } catch (err) {
      await shipper.close();
      await this.finish(run, 'error', null, `environment build failed: ${err instanceof Error ? err.message : String(err)}`, stats);
      return;
    }
    const stoppedDuringEnv = run.stopReason as Run['stopReason'];
    if (stoppedDuringEnv) {
      envs.release();
      await shipper.close();
      await this.finish(run, stoppedDuringEnv.status, null, stoppedDuringEnv.error, stats);
      return;
    }
    envs.apply(env);
    run.environment = envs.stats;
    const proc = startTaskProcess(a.command, dir, env);
    void proc.exited.finally(() => envs.release());
    run.proc = proc;
    const pipes = [pipeLines(proc.child.stdout, 'stdout', shipper), pipeLines(proc.child.stderr, 'stderr', shipper)];
    const timeout =
      a.timeoutSec > 0 ? setTimeout(() => this.stop(run, 'error', `timed out after ${a.timeoutSec} s`), a.timeoutSec * 1000) : undefined;

    // Reports of one attempt go one at a time: on FerretDB an update is a read then a
    // write, so a Started landing after Finished could turn an ended task back to running.
    const startedReported = this.reporter
      .untilAnswered('started', () => this.reporter.started(ref, proc.child.pid ?? 0, stats, run.environment), () => run.abandoned)
      .then((r) => {
        if (!r.accepted) {
          run.abandoned = true;
          this.stop(run, 'error', `attempt refused by master: ${r.reason}`);
        }
      })
      .catch(() => undefined);

    const exit = await proc.exited;
    run.exited = true;
    if (timeout) clearTimeout(timeout);
    await Promise.all(pipes);
    await shipper.close();
    await startedReported;
    const reason = run.stopReason as Run['stopReason'];
    if (reason) await this.finish(run, reason.status, exit.code, reason.error, stats);
    else if (exit.code === 0) await this.finish(run, 'finished', 0, null, stats);
    else if (exit.signal) await this.finish(run, 'error', null, `killed by signal ${exit.signal}`, stats);
    else await this.finish(run, 'error', exit.code, `exit code ${exit.code}`, stats);
  }

  private async finish(run: Run, status: FinalStatus, exitCode: number | null, error: string | null, sync: SyncStats | null): Promise<void> {
    if (run.abandoned) return;
    const r = await this.reporter.untilAnswered('finished', () =>
      this.reporter.finished(run.ref, { status, exitCode, error, sync, environment: run.environment }),
    );
    this.log.log({ msg: 'task ended', taskId: run.a.taskId, attempt: run.a.attempt, status, exitCode, accepted: r.accepted });
  }
}

function pipeLines(stream: NodeJS.ReadableStream | null, kind: 'stdout' | 'stderr', shipper: LogShipper): Promise<void> {
  if (!stream) return Promise.resolve();
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => shipper.push(kind, line));
  return new Promise((resolve) => rl.once('close', () => resolve()));
}
