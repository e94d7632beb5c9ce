import { Injectable } from '@nestjs/common';
import { BadInputError, Label, NotFoundError } from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { cronProblem } from '../cron-expression';
import { ScheduleRecord, ScheduleView, scheduleTimezone, toScheduleView } from '../schedule.types';
import { CatchUp, DEFAULT_TIMEZONE, timezoneProblem } from '../schedule-ticks';
import { TaskMode } from '../task.types';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleRunner } from './schedule.runner';
import { ScheduleStateRepository } from './schedule-state.repository';

export type ScheduleInput = {
  spiderId: string;
  cron: string;
  timezone?: string;
  catchUp?: CatchUp;
  mode: TaskMode;
  nodeIds: string[];
  labels: Label[];
  param?: string | null;
  cmd?: string | null;
  priority: number;
  enabled: boolean;
};

/** What the REST API does with schedules. */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly states: ScheduleStateRepository,
    private readonly spiders: SpiderRepository,
    private readonly runner: ScheduleRunner,
  ) {}

  async create(input: ScheduleInput): Promise<ScheduleView> {
    const timezone = input.timezone ?? DEFAULT_TIMEZONE;
    this.checkTiming(input.cron, timezone);
    if (!(await this.spiders.findById(input.spiderId))) throw new BadInputError(`spiderId: spider ${input.spiderId} does not exist`);
    if (input.mode === 'selected-nodes' && input.nodeIds.length === 0) throw new BadInputError('nodeIds: required for mode selected-nodes');
    const s = await this.schedules.create({
      ...input,
      timezone,
      catchUp: input.catchUp ?? 'none',
      param: input.param ?? null,
      cmd: input.cmd ?? null,
      activeSince: new Date(),
    });
    await this.runner.sync();
    return toScheduleView(s, null);
  }

  async list(): Promise<ScheduleView[]> {
    const [schedules, states] = await Promise.all([this.schedules.list(), this.states.all()]);
    return schedules.map((s) => toScheduleView(s, states.get(String(s._id)) ?? null));
  }

  async get(id: string): Promise<ScheduleView> {
    const s = await this.schedules.findById(id);
    if (!s) throw new NotFoundError('schedule', id);
    return toScheduleView(s, await this.states.get(id));
  }

  async update(id: string, patch: Partial<ScheduleInput>): Promise<ScheduleView> {
    const current = await this.schedules.findById(id);
    if (!current) throw new NotFoundError('schedule', id);
    const cron = patch.cron ?? current.cron;
    const timezone = patch.timezone ?? scheduleTimezone(current);
    if (patch.cron !== undefined || patch.timezone !== undefined) this.checkTiming(cron, timezone);
    // The same rule as on create, on the schedule as it would be after the patch.
    if ((patch.mode ?? current.mode) === 'selected-nodes' && (patch.nodeIds ?? current.nodeIds).length === 0) {
      throw new BadInputError('nodeIds: required for mode selected-nodes');
    }
    const s = await this.schedules.update(id, { ...patch, ...(redefines(current, patch) ? { activeSince: new Date() } : {}) });
    if (!s) throw new NotFoundError('schedule', id);
    await this.runner.sync();
    return toScheduleView(s, await this.states.get(id));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.schedules.findById(id))) throw new NotFoundError('schedule', id);
    await this.schedules.delete(id);
    await this.states.delete(id);
    await this.runner.sync();
  }

  private checkTiming(cron: string, timezone: string): void {
    const tzProblem = timezoneProblem(timezone);
    if (tzProblem) throw new BadInputError(`timezone: ${tzProblem}`);
    const problem = cronProblem(cron);
    if (problem) throw new BadInputError(`cron: ${problem}`);
  }
}

/** A new expression, zone, or a re-enable starts a new definition: older ticks are not caught up. */
function redefines(current: ScheduleRecord, patch: Partial<ScheduleInput>): boolean {
  return (
    (patch.cron !== undefined && patch.cron !== current.cron) ||
    (patch.timezone !== undefined && patch.timezone !== scheduleTimezone(current)) ||
    (patch.enabled === true && !current.enabled)
  );
}
