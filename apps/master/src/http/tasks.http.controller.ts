import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TaskService } from '@crawlnest/task';
import { ResultsQueryService } from '@crawlnest/results';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { CreateTaskDto, ListTasksQueryDto, LogPageDto, LogsQueryDto, TaskDto, TaskPageDto, TasksCreatedDto } from './dto/task.dto';
import { ObjectIdPipe } from './object-id.pipe';
import { ShutdownSignal } from '../lifecycle/shutdown-signal';
import { withNewTaskCounts, withTaskCounts } from './with-result-counts';
import { VisibilityService, Access, body, param } from '../access';
import { GitPullService } from '../git/git-pull.service';

@ApiTags('tasks')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/tasks')
export class TasksHttpController {
  /** List filter hook: what the caller may see (apps/master/src/access). */
  @Inject(VisibilityService) private readonly visibility!: VisibilityService;

  constructor(
    private readonly tasks: TaskService,
    private readonly shutdown: ShutdownSignal,
    private readonly results: ResultsQueryService,
    private readonly git: GitPullService,
  ) {}

  @Access('run', body('spider', 'spiderId'))
  @Post()
  @ApiOperation({ summary: 'Create a task (mode all-nodes: one per matching node)' })
  @ApiCreatedResponse({ type: TasksCreatedDto })
  @ApiErrors(400, 413)
  async create(@Body() body: CreateTaskDto) {
    return { tasks: withNewTaskCounts(await this.tasks.create(body)) };
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'List tasks, newest first, a page at a time (cursor `after` = the previous nextAfter)' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiErrors(400)
  async list(@Query() q: ListTasksQueryDto, @Req() req: Request) {
    const spiderIds = (await this.visibility.spiderIds(req)) ?? undefined;
    if (spiderIds && q.spiderId && !spiderIds.has(q.spiderId)) return { items: [], total: 0, totalExact: true, nextAfter: null };
    const page = await this.tasks.list({ status: q.status, spiderId: q.spiderId, nodeId: q.nodeId, spiderIds }, q.page, q.size, q.after);
    return { ...page, items: await withTaskCounts(this.results, page.items) };
  }

  @Access('read', param('task'))
  @Get(':id')
  @ApiOperation({ summary: 'Get one task' })
  @ApiIdParam('task')
  @ApiOkResponse({ type: TaskDto })
  @ApiErrors(400, 404)
  async get(@Param('id', ObjectIdPipe) id: string) {
    const [task] = await withTaskCounts(this.results, [await this.tasks.get(id)]);
    return { ...task, git: await this.git.commitOf(task.spiderId, task.spiderVersion) };
  }

  @Access('run', param('task'))
  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a pending, assigned or running task (its whole process group is stopped)' })
  @ApiIdParam('task')
  @ApiCreatedResponse({ type: TaskDto, description: 'The task, cancelled or being stopped' })
  @ApiErrors(400, 404, 409)
  async cancel(@Param('id', ObjectIdPipe) id: string) {
    return (await withTaskCounts(this.results, [await this.tasks.cancel(id)]))[0];
  }

  @Access('run', param('task'))
  @Post(':id/restart')
  @ApiOperation({ summary: 'Create a new task with the same spec' })
  @ApiIdParam('task')
  @ApiCreatedResponse({ type: TasksCreatedDto })
  @ApiErrors(400, 404)
  async restart(@Param('id', ObjectIdPipe) id: string) {
    return { tasks: await withTaskCounts(this.results, await this.tasks.restart(id)) };
  }

  /** Server-Sent Events: one `line` event per log line, then one `end` event with the status. */
  @Access('read', param('task'))
  @Get(':id/logs/stream')
  @ApiOperation({ summary: 'Follow the log as Server-Sent Events: `line` events ({seq, ts, stream, text}), then one `end` event ({status})' })
  @ApiIdParam('task')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream that ends when the task ends', schema: { type: 'string' } })
  @ApiErrors(400, 404)
  async stream(@Param('id', ObjectIdPipe) id: string, @Query() q: LogsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.tasks.get(id); // 404 before the stream starts
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Headers now: a follower of a task that prints nothing yet must still see the stream open.
    res.flushHeaders();
    let closed = false;
    req.on('close', () => {
      closed = true;
    });
    for await (const item of this.tasks.follow(id, q.after, () => closed || this.shutdown.stopping)) {
      const event = 'end' in item ? `event: end\ndata: ${JSON.stringify({ status: item.end })}\n\n` : `id: ${item.seq}\nevent: line\ndata: ${JSON.stringify(item)}\n\n`;
      if (!res.write(event)) await new Promise<void>((r) => {
        res.once('drain', () => r());
        res.once('close', () => r());
      });
    }
    res.end();
  }

  @Access('read', param('task'))
  @Get(':id/logs')
  @ApiOperation({ summary: 'Read log lines after a sequence number' })
  @ApiIdParam('task')
  @ApiOkResponse({ type: LogPageDto })
  @ApiErrors(400, 404)
  logs(@Param('id', ObjectIdPipe) id: string, @Query() q: LogsQueryDto) {
    return this.tasks.logs(id, q.after, q.limit);
  }
}
