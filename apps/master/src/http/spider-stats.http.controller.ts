import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn } from 'class-validator';
import { SpiderService } from '@crawlnest/sync';
import { TaskDailyService } from '@crawlnest/task';
import { Access, param } from '../access';
import { ApiErrors, ApiIdParam } from './dto/api-docs.decorators';
import { OptionalField } from './dto/field-validators';
import { ObjectIdPipe } from './object-id.pipe';

export class SpiderStatsQueryDto {
  @ApiPropertyOptional({ description: 'How many days back, today included', enum: [7, 30], default: 7 })
  @OptionalField()
  @Type(() => Number)
  @IsIn([7, 30], { message: 'expected 7 or 30' })
  days: number = 7;
}

export class SpiderDayDto {
  @ApiProperty({ description: 'UTC day', example: '2026-12-06' })
  day: string;
  @ApiProperty({ description: 'Tasks that ended that day, by end status', type: 'object', additionalProperties: { type: 'number' }, example: { finished: 4, error: 1 } })
  byStatus: Record<string, number>;
  @ApiProperty({ description: 'Tasks that ended that day', example: 5 })
  runs: number;
  @ApiProperty({ description: 'Average run time of those that started, ms (null: none started)', type: Number, nullable: true, example: 31000 })
  avgDurationMs: number | null;
  @ApiProperty({ description: 'Runs of that day that started (the ones the average is over)', example: 4 })
  timedRuns: number;
}

export class SpiderStatsDto {
  @ApiProperty({ type: [SpiderDayDto], description: 'Oldest day first' })
  days: SpiderDayDto[];
}

/** A spider's runs per day from maintained daily counts (no scan of its tasks). */
@ApiTags('spiders')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/spiders')
export class SpiderStatsHttpController {
  constructor(
    private readonly spiders: SpiderService,
    private readonly daily: TaskDailyService,
  ) {}

  @Access('read', param('spider'))
  @Get(':id/stats')
  @ApiOperation({ summary: 'Runs per day by end status and their average duration, over the last 7 or 30 days (maintained daily counts)' })
  @ApiIdParam('spider')
  @ApiOkResponse({ type: SpiderStatsDto })
  @ApiErrors(400, 404)
  async stats(@Param('id', ObjectIdPipe) id: string, @Query() q: SpiderStatsQueryDto) {
    await this.spiders.get(id); // 404 for an unknown spider
    const days = await this.daily.days(id, q.days);
    return {
      days: days.map((d) => ({
        day: d.day,
        byStatus: d.byStatus,
        runs: Object.values(d.byStatus).reduce((n, v) => n + v, 0),
        avgDurationMs: d.timedRuns > 0 ? Math.round(d.durationMs / d.timedRuns) : null,
        timedRuns: d.timedRuns,
      })),
    };
  }
}
