import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { z } from 'zod';
import { ScheduleService } from '@crawlnest/task';
import { ObjectIdPipe } from './object-id.pipe';
import { createScheduleSchema, patchScheduleSchema } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('api/schedules')
export class SchedulesHttpController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  create(@Body(new ZodValidationPipe(createScheduleSchema)) body: z.infer<typeof createScheduleSchema>) {
    return this.schedules.create(body);
  }

  @Get()
  list() {
    return this.schedules.list();
  }

  @Get(':id')
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.schedules.get(id);
  }

  @Patch(':id')
  patch(@Param('id', ObjectIdPipe) id: string, @Body(new ZodValidationPipe(patchScheduleSchema)) body: z.infer<typeof patchScheduleSchema>) {
    return this.schedules.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.schedules.delete(id);
  }
}
