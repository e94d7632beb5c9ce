import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NodeAdminService, NodeCounters } from '@crawlnest/node';
import { ResultDailyService } from '@crawlnest/results';
import { ALL_SPIDERS, TaskDailyService, TaskService } from '@crawlnest/task';
import { ApiErrors } from './dto/api-docs.decorators';
import { ActivityDto, ActivityQueryDto, StatsDto } from './dto/health.dto';
import { VisibilityService, Access } from '../access';

@ApiTags('health')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/stats')
export class StatsHttpController {
  /** List filter hook: what the caller may see (apps/master/src/access). */
  @Inject(VisibilityService) private readonly visibility!: VisibilityService;

  constructor(
    private readonly nodes: NodeAdminService,
    private readonly tasks: TaskService,
    private readonly nodeCounters: NodeCounters,
    private readonly daily: TaskDailyService,
    private readonly items: ResultDailyService,
  ) {}

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'Node and task counts, stuck pending tasks' })
  @ApiOkResponse({ type: StatsDto })
  async stats(@Req() req: Request) {
    const spiderIds = (await this.visibility.spiderIds(req)) ?? undefined;
    const [nodes, t, today, itemsToday] = await Promise.all([this.nodes.list({}), this.tasks.stats(spiderIds), this.endedToday(spiderIds), this.items.today(spiderIds)]);
    const online = nodes.filter((n) => n.status === 'online').length;
    return {
      nodes: { online, offline: nodes.length - online },
      tasks: t.tasks,
      stuckPending: t.stuckPending,
      oldestPendingAgeMs: t.oldestPendingAgeMs,
      tasksEndedToday: today,
      itemsToday,
      // This replica's own counts since it started (node transitions, heartbeats, node writes).
      nodeEvents: this.nodeCounters.snapshot(),
    };
  }

  /** Tasks ended today (UTC) from the daily counts: all spiders', or the visible ones' summed. */
  private async endedToday(spiderIds: Set<string> | undefined): Promise<number> {
    const days = await Promise.all([...(spiderIds ?? [ALL_SPIDERS])].map((id) => this.daily.days(id, 1)));
    return days.reduce((n, [d]) => n + Object.values(d.byStatus).reduce((a, v) => a + v, 0), 0);
  }

  @Access('admin')
  @Get('activity')
  @ApiOperation({ summary: 'Tasks ended per minute over the last minutes (maintained counters, no history scan)' })
  @ApiOkResponse({ type: ActivityDto })
  @ApiErrors(400)
  async activity(@Query() q: ActivityQueryDto) {
    return { buckets: await this.tasks.activity(q.minutes) };
  }
}
