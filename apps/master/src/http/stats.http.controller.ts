import { Controller, Get } from '@nestjs/common';
import { NodeAdminService, NodeCounters } from '@crawlnest/node';
import { TaskService } from '@crawlnest/task';

@Controller('api/stats')
export class StatsHttpController {
  constructor(
    private readonly nodes: NodeAdminService,
    private readonly tasks: TaskService,
    private readonly nodeCounters: NodeCounters,
  ) {}

  @Get()
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
}
