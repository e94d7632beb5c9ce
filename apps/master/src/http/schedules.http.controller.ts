import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ScheduleService } from '@crawlnest/task';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { CreateScheduleDto, PatchScheduleDto, ScheduleDto } from './dto/schedule.dto';
import { ObjectIdPipe } from './object-id.pipe';
import { VisibilityService, Access, body, param } from '../access';

@ApiTags('schedules')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/schedules')
export class SchedulesHttpController {
  /** List filter hook: what the caller may see (apps/master/src/access). */
  @Inject(VisibilityService) private readonly visibility!: VisibilityService;

  constructor(private readonly schedules: ScheduleService) {}

  @Access('edit', body('spider', 'spiderId'))
  @Post()
  @ApiOperation({ summary: 'Create a cron schedule that creates tasks (once per tick, whatever the number of replicas)' })
  @ApiCreatedResponse({ type: ScheduleDto })
  @ApiErrors(400, 413)
  create(@Body() body: CreateScheduleDto) {
    return this.schedules.create(body);
  }

  @Access('signed-in')
  @Get()
  @ApiOperation({ summary: 'List schedules' })
  @ApiOkResponse({ type: [ScheduleDto] })
  async list(@Req() req: Request) {
    return this.visibility.filterBySpider(req, await this.schedules.list());
  }

  @Access('read', param('schedule'))
  @Get(':id')
  @ApiOperation({ summary: 'Get one schedule' })
  @ApiIdParam('schedule')
  @ApiOkResponse({ type: ScheduleDto })
  @ApiErrors(400, 404)
  get(@Param('id', ObjectIdPipe) id: string) {
    return this.schedules.get(id);
  }

  @Access('edit', param('schedule'), body('spider', 'spiderId', 'skip'))
  @Patch(':id')
  @ApiOperation({ summary: 'Change a schedule' })
  @ApiIdParam('schedule')
  @ApiOkResponse({ type: ScheduleDto })
  @ApiErrors(400, 404, 413)
  patch(@Param('id', ObjectIdPipe) id: string, @Body() body: PatchScheduleDto) {
    return this.schedules.update(id, body);
  }

  @Access('edit', param('schedule'))
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule (its tasks stay)' })
  @ApiIdParam('schedule')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  async delete(@Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.schedules.delete(id);
  }
}
