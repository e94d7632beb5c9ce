import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
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

  @Get(':id/logs')
  logs(@Param('id', ObjectIdPipe) id: string, @Query(new ZodValidationPipe(logsQuery)) q: z.infer<typeof logsQuery>) {
    return this.tasks.logs(id, q.after, q.limit);
  }
}
