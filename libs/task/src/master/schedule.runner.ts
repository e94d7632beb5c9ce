import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { nextRun, tickKey } from '../cron-expression';
import { ScheduleRecord } from '../schedule.types';
import { ClaimRepository } from './claim.repository';
import { ScheduleRepository } from './schedule.repository';
import { TaskService } from './task.service';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

const JOB_PREFIX = 'schedule:';

/**
 * Runs the enabled schedules as cron jobs in SchedulerRegistry, on every replica. Each
 * replica reloads schedules from the database (another replica may have changed them);
 * each tick is claimed by inserting `schedule:<id>:<second>`, so it creates its tasks
 * exactly once however many replicas fire it.
 */
@Injectable()
export class ScheduleRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(ScheduleRunner.name);
  private readonly loaded = new Map<string, string>(); // id → cron expression of the running job
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly schedules: ScheduleRepository,
    private readonly claims: ClaimRepository,
    private readonly tasks: TaskService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
  }

  onModuleDestroy(): void {
    for (const id of this.loaded.keys()) this.unload(id);
  }

  @Interval(2000)
  async reload(): Promise<void> {
    try {
      await this.sync();
    } catch (err) {
      this.log.warn({ msg: 'schedule reload failed', err: String(err) });
    }
  }

  /** Brings the registry's jobs in line with the database. */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.doSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const wanted = new Map((await this.schedules.list()).filter((s) => s.enabled).map((s) => [String(s._id), s]));
    for (const [id, cron] of this.loaded) {
      if (wanted.get(id)?.cron !== cron) this.unload(id);
    }
    for (const [id, s] of wanted) if (!this.loaded.has(id)) this.load(s);
  }

  private load(s: ScheduleRecord): void {
    const id = String(s._id);
    const job = CronJob.from({
      cronTime: s.cron,
      timeZone: 'UTC',
      onTick: () => {
        this.fire(id, Date.now()).catch((err) => this.log.error({ msg: 'schedule tick failed', scheduleId: id, err: String(err) }));
      },
      start: true,
    });
    this.registry.addCronJob(JOB_PREFIX + id, job);
    this.loaded.set(id, s.cron);
  }

  private unload(id: string): void {
    try {
      this.registry.deleteCronJob(JOB_PREFIX + id);
    } catch (err) {
      this.log.debug({ msg: 'cron job already gone', scheduleId: id, err: String(err) });
    }
    this.loaded.delete(id);
  }

  private async fire(id: string, firedAt: number): Promise<void> {
    if (!(await this.claims.tryClaim(tickKey(id, firedAt), this.opts.replicaId))) return;
    const s = await this.schedules.findById(id);
    if (!s || !s.enabled) return;
    const created = await this.tasks.create({
      spiderId: s.spiderId,
      mode: s.mode,
      nodeIds: s.nodeIds,
      labels: s.labels,
      cmd: s.cmd ?? undefined,
      param: s.param ?? undefined,
      env: [],
      priority: s.priority,
      timeoutSec: 0,
      maxRetries: 0,
      scheduleId: id,
    });
    await this.schedules.update(id, { lastRunAt: new Date(firedAt), nextRunAt: nextRun(s.cron) });
    this.log.log({ msg: 'schedule fired', scheduleId: id, tasks: created.length });
  }
}
