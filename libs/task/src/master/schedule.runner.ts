import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { planTicks, tickClaimId } from '../schedule-ticks';
import { ScheduleRecord, scheduleCatchUp, scheduleTimezone } from '../schedule.types';
import { ClaimRepository } from './claim.repository';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleStateRepository } from './schedule-state.repository';
import { TaskService } from './task.service';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { TASK_EVENTS_SINK, TaskEventsSink } from '../task-events.sink';

/**
 * A tick later than this is treated as missed (its schedule's `catchUp` decides), not fired:
 * a replica stalled or starved for minutes must not create a burst of tasks when it wakes.
 */
export const SCHEDULE_LATE_LIMIT_MS = 60_000;

/** Longest wait between passes, so schedules reloaded from the database are looked at soon. */
const MAX_PASS_GAP_MS = 1000;

type LoadedSchedule = {
  record: ScheduleRecord;
  /** The last nominal tick this replica considered (see planTicks). */
  cursor: number;
  /** Nothing of this schedule is due before it. */
  nextDue: number;
  /** Ticks of this schedule are being claimed and run; the next pass waits for them. */
  firing: boolean;
};

/**
 * Fires the enabled schedules on every replica. A tick's identity is its nominal time from the
 * cron expression in the schedule's zone (planTicks), never the wall clock, and it is claimed
 * by inserting `schedule:<id>:<nominal ms>`: a replica that wakes late (stalled, starved) finds
 * the ticks it slept through, and the ones another replica already ran are refused by the claim.
 * Schedules are reloaded from the database every 2 s (another replica may have changed them).
 */
@Injectable()
export class ScheduleRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(ScheduleRunner.name);
  private readonly loaded = new Map<string, LoadedSchedule>();
  private syncing: Promise<void> | undefined;
  private runningSince = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly states: ScheduleStateRepository,
    private readonly claims: ClaimRepository,
    private readonly tasks: TaskService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
    @Optional() @Inject(TASK_EVENTS_SINK) private readonly events: TaskEventsSink | null = null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runningSince = Date.now();
    await this.sync();
    this.pass();
  }

  /** Waits for a reload in flight: it would otherwise run into the database connection closing after this. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.syncing?.catch(() => undefined);
  }

  @Interval(2000)
  async reload(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.sync();
    } catch (err) {
      this.log.warn({ msg: 'schedule reload failed', err: String(err) });
    }
  }

  /** Brings the loaded schedules in line with the database. */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    this.syncing = this.doSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const [all, states] = await Promise.all([this.schedules.list(), this.states.all()]);
    const wanted = new Map(all.filter((s) => s.enabled).map((s) => [String(s._id), s]));
    for (const id of this.loaded.keys()) if (!wanted.has(id)) this.loaded.delete(id);
    for (const [id, s] of wanted) {
      const current = this.loaded.get(id);
      if (current && sameDefinition(current.record, s)) {
        current.record = s;
        continue;
      }
      // First seen here, or redefined: walk on from the last recorded tick, never from before
      // the definition took effect.
      const since = new Date(s.activeSince ?? s.createdAt).getTime();
      const last = states.get(id)?.lastTickAt;
      const cursor = Math.max(since, last ? new Date(last).getTime() : 0);
      this.loaded.set(id, { record: s, cursor, nextDue: 0, firing: current?.firing ?? false });
    }
  }

  /** One pass over the loaded schedules, then the timer is set for the soonest due tick. */
  private pass(): void {
    if (this.stopped) return;
    const now = Date.now();
    let soonest = now + MAX_PASS_GAP_MS;
    for (const [id, e] of this.loaded) {
      if (e.firing) continue;
      if (e.nextDue > now) {
        soonest = Math.min(soonest, e.nextDue);
        continue;
      }
      try {
        const plan = planTicks({
          cron: e.record.cron,
          timezone: scheduleTimezone(e.record),
          catchUp: scheduleCatchUp(e.record),
          cursor: e.cursor,
          now,
          runningSince: this.runningSince,
          lateLimitMs: SCHEDULE_LATE_LIMIT_MS,
        });
        e.cursor = plan.cursor;
        e.nextDue = plan.nextDue;
        soonest = Math.min(soonest, plan.nextDue);
        if (plan.fire.length > 0) {
          e.firing = true;
          void this.fireAll(id, plan.fire).finally(() => {
            e.firing = false;
          });
        }
      } catch (err) {
        // An expression stored before it was validated this way: skip it, keep the others running.
        e.nextDue = now + 60_000;
        this.log.error({ msg: 'schedule cannot be evaluated; skipped for a minute', scheduleId: id, err: String(err) });
      }
    }
    this.timer = setTimeout(() => this.pass(), Math.max(0, soonest - Date.now()));
  }

  private async fireAll(id: string, nominals: number[]): Promise<void> {
    for (const nominal of nominals) {
      try {
        await this.fire(id, nominal);
      } catch (err) {
        this.log.error({ msg: 'schedule tick failed', scheduleId: id, tick: new Date(nominal).toISOString(), err: String(err) });
        await this.events?.scheduleMissed({ scheduleId: id, tick: new Date(nominal), error: String(err) }).catch((e: unknown) => this.log.warn({ msg: 'schedule.missed event not recorded', scheduleId: id, err: String(e) }));
      }
    }
  }

  private async fire(id: string, nominal: number): Promise<void> {
    if (!(await this.claims.tryClaim(tickClaimId(id, nominal), this.opts.replicaId))) return;
    // Read after the claim: a disable or edit that settled before this point is honoured.
    const s = await this.schedules.findById(id);
    if (!s || !s.enabled) return;
    if (s.activeSince && nominal < new Date(s.activeSince).getTime()) return; // a tick of the previous definition
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
      scheduledFor: new Date(nominal),
    });
    await this.states.recordTick(id, new Date(nominal));
    this.log.log({ msg: 'schedule fired', scheduleId: id, tick: new Date(nominal).toISOString(), lateMs: Date.now() - nominal, tasks: created.length });
  }
}

function sameDefinition(a: ScheduleRecord, b: ScheduleRecord): boolean {
  const since = (s: ScheduleRecord) => new Date(s.activeSince ?? s.createdAt).getTime();
  return a.cron === b.cron && scheduleTimezone(a) === scheduleTimezone(b) && since(a) === since(b);
}
