import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NodeAdminService, NodeCounters } from '@crawlnest/node';
import { TaskService } from '@crawlnest/task';
import { ApiErrors } from './dto/api-docs.decorators';
import { ActivityDto, ActivityQueryDto, StatsDto } from './dto/health.dto';

@ApiTags('health')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/stats')
export class StatsHttpController {
  constructor(
    private readonly nodes: NodeAdminService,
    private readonly tasks: TaskService,
    private readonly nodeCounters: NodeCounters,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Node and task counts, stuck pending tasks' })
  @ApiOkResponse({ type: StatsDto })
  async stats() {
    const [nodes, t] = await Promise.all([this.nodes.list({}), this.tasks.stats()]);
    const online = nodes.filter((n) => n.status === 'online').length;
    return {
      nodes: { online, offline: nodes.length - online },
      tasks: t.tasks,
      stuckPending: t.stuckPending,
      oldestPendingAgeMs: t.oldestPendingAgeMs,
      // This replica's own counts since it started (node transitions, heartbeats, node writes).
      nodeEvents: this.nodeCounters.snapshot(),
    };
  }

  @Get('activity')
  @ApiOperation({ summary: 'Tasks ended per minute over the last minutes (maintained counters, no history scan)' })
  @ApiOkResponse({ type: ActivityDto })
  @ApiErrors(400)
  async activity(@Query() q: ActivityQueryDto) {
    return { buckets: await this.tasks.activity(q.minutes) };
  }
}
