import { Injectable } from '@nestjs/common';
import { BadInputError, Label, NotFoundError } from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { cronProblem, nextRun } from '../cron-expression';
import { ScheduleView, toScheduleView } from '../schedule.types';
import { TaskMode } from '../task.types';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleRunner } from './schedule.runner';

export type ScheduleInput = {
  spiderId: string;
  cron: string;
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
    private readonly spiders: SpiderRepository,
    private readonly runner: ScheduleRunner,
  ) {}

  async create(input: ScheduleInput): Promise<ScheduleView> {
    this.checkCron(input.cron);
    if (!(await this.spiders.findById(input.spiderId))) throw new BadInputError(`spiderId: spider ${input.spiderId} does not exist`);
    if (input.mode === 'selected-nodes' && input.nodeIds.length === 0) throw new BadInputError('nodeIds: required for mode selected-nodes');
    const s = await this.schedules.create(
      { ...input, param: input.param ?? null, cmd: input.cmd ?? null },
      input.enabled ? nextRun(input.cron) : null,
    );
    await this.runner.sync();
    return toScheduleView(s);
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.schedules.list()).map(toScheduleView);
  }

  async get(id: string): Promise<ScheduleView> {
    const s = await this.schedules.findById(id);
    if (!s) throw new NotFoundError('schedule', id);
    return toScheduleView(s);
  }

  async update(id: string, patch: Partial<ScheduleInput>): Promise<ScheduleView> {
    const current = await this.schedules.findById(id);
    if (!current) throw new NotFoundError('schedule', id);
    if (patch.cron !== undefined) this.checkCron(patch.cron);
    // The same rule as on create, on the schedule as it would be after the patch.
    if ((patch.mode ?? current.mode) === 'selected-nodes' && (patch.nodeIds ?? current.nodeIds).length === 0) {
      throw new BadInputError('nodeIds: required for mode selected-nodes');
    }
    const cron = patch.cron ?? current.cron;
    const enabled = patch.enabled ?? current.enabled;
    const s = await this.schedules.update(id, { ...patch, nextRunAt: enabled ? nextRun(cron) : null });
    if (!s) throw new NotFoundError('schedule', id);
    await this.runner.sync();
    return toScheduleView(s);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.schedules.findById(id))) throw new NotFoundError('schedule', id);
    await this.schedules.delete(id);
    await this.runner.sync();
  }

  private checkCron(cron: string): void {
    const problem = cronProblem(cron);
    if (problem) throw new BadInputError(`cron: ${problem}`);
  }
}
