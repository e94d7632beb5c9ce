import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import type { Label } from '@crawlnest/node';
import { CATCH_UP_POLICIES, CatchUp, TASK_MODES, TaskMode } from '@crawlnest/task';
import { IsObjectId, IsStringMap, noLabels, OptionalField } from './field-validators';
import { PlacementViewDto, STRING_MAP_SCHEMA } from './task.dto';
import type { ScheduleView } from '@crawlnest/task';

const CRON_EXAMPLE = '*/15 * * * *';

/** Fields a schedule has whether created or patched (create adds defaults). */
class ScheduleOptionsDto {
  @ApiPropertyOptional({ description: 'Placement mode of the tasks it creates', enum: TASK_MODES })
  @OptionalField()
  @IsIn(TASK_MODES, { message: `expected one of ${TASK_MODES.join(', ')}` })
  mode?: TaskMode;

  @ApiPropertyOptional({ description: 'Node ids for mode selected-nodes', type: [String], maxItems: 1000 })
  @OptionalField()
  @IsArray({ message: 'expected an array of ids' })
  @ArrayMaxSize(1000, { message: 'at most 1000 ids' })
  @IsObjectId({ each: true })
  nodeIds?: string[];

  @ApiPropertyOptional({ description: 'Node label selector {k: v} (≤100 entries, key ≤200, value ≤4096 chars)', ...STRING_MAP_SCHEMA, example: { region: 'eu' } })
  @OptionalField()
  @IsStringMap()
  labels?: Label[];

  @ApiPropertyOptional({ description: "Parameters; null: the spider's", type: String, nullable: true, maxLength: 4096, example: '--pages 3' })
  @IsOptional()
  @IsString()
  @MaxLength(4096, { message: 'at most 4096 characters' })
  param?: string | null;

  @ApiPropertyOptional({ description: "Command; null: the spider's", type: String, nullable: true, minLength: 1, maxLength: 4096, example: 'python3 main.py' })
  @IsOptional()
  @IsString()
  @Length(1, 4096, { message: 'expected 1..4096 characters' })
  cmd?: string | null;

  @ApiPropertyOptional({ description: 'Priority of the tasks it creates, higher first', minimum: 1, maximum: 10, example: 5 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'expected 1..10' })
  @Max(10, { message: 'expected 1..10' })
  priority?: number;

  @ApiPropertyOptional({ description: 'A disabled schedule creates no tasks', example: true })
  @OptionalField()
  @IsBoolean({ message: 'expected a boolean' })
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'IANA time zone the cron expression is read in (DST applies); default UTC', maxLength: 100, example: 'Europe/Berlin' })
  @OptionalField()
  @IsString()
  @Length(1, 100, { message: 'expected an IANA time zone name (1..100 characters)' })
  timezone?: string;

  @ApiPropertyOptional({ description: 'Ticks missed while no master ran: none (default) skips them, latest runs the newest one once', enum: CATCH_UP_POLICIES })
  @OptionalField()
  @IsIn(CATCH_UP_POLICIES, { message: `expected one of ${CATCH_UP_POLICIES.join(', ')}` })
  catchUp?: CatchUp;
}

export class PatchScheduleDto extends ScheduleOptionsDto {
  @ApiPropertyOptional({ description: 'Cron expression (5 fields, or 6 with seconds)', maxLength: 200, example: CRON_EXAMPLE })
  @OptionalField()
  @IsString()
  @MaxLength(200, { message: 'at most 200 characters' })
  cron?: string;
}

export class CreateScheduleDto extends ScheduleOptionsDto {
  @ApiProperty({ description: 'The spider to run', pattern: '^[0-9a-f]{24}$', example: '665f1c2e8b3a4d0012345678' })
  @IsDefined({ message: 'required' })
  @IsObjectId()
  spiderId: string;

  @ApiProperty({ description: 'Cron expression (5 fields, or 6 with seconds)', maxLength: 200, example: CRON_EXAMPLE })
  @IsDefined({ message: 'required' })
  @IsString()
  @MaxLength(200, { message: 'at most 200 characters' })
  cron: string;

  @ApiPropertyOptional({ description: 'Placement mode of the tasks it creates', enum: TASK_MODES, default: 'random' })
  override mode: TaskMode = 'random';

  @ApiPropertyOptional({ description: 'Node ids for mode selected-nodes', type: [String], maxItems: 1000, default: [] })
  override nodeIds: string[] = [];

  @ApiPropertyOptional({ description: 'Node label selector {k: v} (≤100 entries, key ≤200, value ≤4096 chars)', ...STRING_MAP_SCHEMA, default: {} })
  override labels: Label[] = noLabels();

  @ApiPropertyOptional({ description: 'Priority of the tasks it creates, higher first', minimum: 1, maximum: 10, default: 5 })
  override priority: number = 5;

  @ApiPropertyOptional({ description: 'A disabled schedule creates no tasks', default: true })
  override enabled: boolean = true;
}

export class ScheduleDto extends PlacementViewDto implements ScheduleView {
  @ApiProperty({ description: 'Schedule id' })
  id: string;
  @ApiProperty({ description: 'Spider id' })
  spiderId: string;
  @ApiProperty({ description: 'Cron expression', example: CRON_EXAMPLE })
  cron: string;
  @ApiProperty({ description: "Parameters; null: the spider's", type: String, nullable: true })
  param: string | null;
  @ApiProperty({ description: "Command; null: the spider's", type: String, nullable: true })
  cmd: string | null;
  @ApiProperty({ description: 'Priority of the tasks it creates', example: 5 })
  priority: number;
  @ApiProperty({ description: 'A disabled schedule creates no tasks' })
  enabled: boolean;
  @ApiProperty({ description: 'ISO-8601 last tick that created tasks', type: String, nullable: true })
  lastRunAt: string | null;
  @ApiProperty({ description: 'ISO-8601 next tick; null when disabled', type: String, nullable: true })
  nextRunAt: string | null;
  @ApiProperty({ description: 'ISO-8601 next fire times (up to 5, in UTC, computed in the schedule\'s zone); empty when disabled', type: [String] })
  nextRunTimes: string[];
  @ApiProperty({ description: 'IANA time zone the cron expression is read in', example: 'UTC' })
  timezone: string;
  @ApiProperty({ description: 'What happens to ticks missed while no master ran', enum: CATCH_UP_POLICIES })
  catchUp: CatchUp;
  @ApiProperty({ description: 'ISO-8601 creation time' })
  createdAt: string;
}
