import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { TaskService } from '@crawlnest/task';
import { ObjectIdPipe } from './object-id.pipe';
import { createTaskSchema, listTasksQuery, logsQuery } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('api/tasks')
export class TasksHttpController {
  constructor(private readonly tasks: TaskService) {}

  @Post()
  async create(@Body(new ZodValidationPipe(createTaskSchema)) body: z.infer<typeof createTaskSchema>) {
    return { tasks: await this.tasks.create(body) };
  }

  @Get()
  list(@Query(new ZodValidationPipe(listTasksQuery)) q: z.infer<typeof listTasksQuery>) {
    return this.tasks.list({ status: q.status, spiderId: q.spiderId, nodeId: q.nodeId }, q.page, q.size);
  }

  @Get(':id')
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.tasks.get(id);
  }

  @Post(':id/cancel')
  cancel(@Param('id', ObjectIdPipe) id: string) {
    return this.tasks.cancel(id);
  }

  @Post(':id/restart')
  async restart(@Param('id', ObjectIdPipe) id: string) {
    return { tasks: await this.tasks.restart(id) };
  }

  /** Server-Sent Events: one `line` event per log line, then one `end` event with the status. */
  @Get(':id/logs/stream')
  async stream(
    @Param('id', ObjectIdPipe) id: string,
    @Query(new ZodValidationPipe(logsQuery)) q: z.infer<typeof logsQuery>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.tasks.get(id); // 404 before the stream starts
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    req.on('close', () => {
      closed = true;
    });
    for await (const item of this.tasks.follow(id, q.after, () => closed)) {
      const event = 'end' in item ? `event: end\ndata: ${JSON.stringify({ status: item.end })}\n\n` : `id: ${item.seq}\nevent: line\ndata: ${JSON.stringify(item)}\n\n`;
      if (!res.write(event)) await new Promise<void>((r) => {
        res.once('drain', () => r());
        res.once('close', () => r());
      });
    }
    res.end();
  }

  @Get(':id/logs')
  logs(@Param('id', ObjectIdPipe) id: string, @Query(new ZodValidationPipe(logsQuery)) q: z.infer<typeof logsQuery>) {
    return this.tasks.logs(id, q.after, q.limit);
  }
}
