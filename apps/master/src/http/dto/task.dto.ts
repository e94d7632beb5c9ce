import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GitCommitDto } from '../../git/git-source.dto';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import type { Label } from '@crawlnest/node';
import { TASK_MODES, TASK_STATUSES, TaskMode, TaskStatus } from '@crawlnest/task';
import { IsObjectId, IsStringMap, noLabels, OptionalField, PageQueryField, PlacementModeField, PlacementNodeIdsField, SizeQueryField } from './field-validators';
import type { LogLineView, TaskView } from '@crawlnest/task';

export const STRING_MAP_SCHEMA = { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 }, maxProperties: 100 } as const;
const MAX_TIMEOUT_SEC = 30 * 24 * 3600;
export const MAX_KILL_GRACE_SEC = 3600;

export class CreateTaskDto {
  @ApiProperty({ description: 'The spider to run', pattern: '^[0-9a-f]{24}$', example: '665f1c2e8b3a4d0012345678' })
  @IsDefined({ message: 'required' })
  @IsObjectId()
  spiderId: string;

  @PlacementModeField('Where it runs: any one matching node, one task per matching node, or the listed nodes', 'random')
  mode: TaskMode = 'random';

  @PlacementNodeIdsField()
  nodeIds: string[] = [];

  @ApiPropertyOptional({ description: 'Node label selector {k: v}: only nodes with all these labels (≤100 entries, key ≤200, value ≤4096 chars)', ...STRING_MAP_SCHEMA, default: {}, example: { region: 'eu' } })
  @OptionalField()
  @IsStringMap()
  labels: Label[] = noLabels();

  @ApiPropertyOptional({ description: "Command to run instead of the spider's", minLength: 1, maxLength: 4096, example: 'python3 main.py' })
  @OptionalField()
  @IsString()
  @Length(1, 4096, { message: 'expected 1..4096 characters' })
  cmd?: string;

  @ApiPropertyOptional({ description: "Parameters appended to the command (default: the spider's)", maxLength: 4096, example: '--pages 3' })
  @OptionalField()
  @IsString()
  @MaxLength(4096, { message: 'at most 4096 characters' })
  param?: string;

  @ApiPropertyOptional({ description: 'Extra environment variables {k: v} (≤100 entries, key ≤200, value ≤4096 chars)', ...STRING_MAP_SCHEMA, default: {}, example: { LOG_LEVEL: 'debug' } })
  @OptionalField()
  @IsStringMap()
  env: Label[] = noLabels();

  @ApiPropertyOptional({ description: 'Higher runs first', minimum: 1, maximum: 10, default: 5, example: 5 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'expected 1..10' })
  @Max(10, { message: 'expected 1..10' })
  priority: number = 5;

  @ApiPropertyOptional({ description: 'Seconds before the task is stopped; 0 = no limit', minimum: 0, maximum: MAX_TIMEOUT_SEC, default: 0, example: 600 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: `expected 0..${MAX_TIMEOUT_SEC}` })
  @Max(MAX_TIMEOUT_SEC, { message: `expected 0..${MAX_TIMEOUT_SEC}` })
  timeoutSec: number = 0;

  @ApiPropertyOptional({ description: 'On cancel or timeout: seconds between SIGTERM and SIGKILL to its process group (default: the spider\'s, else the worker\'s CRAWLNEST_KILL_GRACE_MS)', minimum: 0, maximum: MAX_KILL_GRACE_SEC, example: 30 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: `expected 0..${MAX_KILL_GRACE_SEC}` })
  @Max(MAX_KILL_GRACE_SEC, { message: `expected 0..${MAX_KILL_GRACE_SEC}` })
  killGraceSec?: number;

  @ApiPropertyOptional({ description: 'Times a task that ended abnormally is run again', minimum: 0, maximum: 100, default: 0, example: 0 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: 'expected 0..100' })
  @Max(100, { message: 'expected 0..100' })
  maxRetries: number = 0;
}

export class ListTasksQueryDto {
  @ApiPropertyOptional({ description: 'Only tasks in this status', enum: TASK_STATUSES })
  @OptionalField()
  @IsIn(TASK_STATUSES, { message: `expected one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({ description: 'Only tasks of this spider', pattern: '^[0-9a-f]{24}$' })
  @OptionalField()
  @IsObjectId()
  spiderId?: string;

  @ApiPropertyOptional({ description: 'Only tasks on this node', pattern: '^[0-9a-f]{24}$' })
  @OptionalField()
  @IsObjectId()
  nodeId?: string;

  @ApiPropertyOptional({
    description: 'Cursor: the `nextAfter` of the previous page; lists tasks older than it (cheap at any depth). `page` is ignored when set',
    pattern: '^[0-9a-f]{24}$',
  })
  @OptionalField()
  @IsObjectId()
  after?: string;

  @PageQueryField('Page number, from 1 (walks from the newest task: for deep pages prefer `after`)')
  page: number = 1;

  @SizeQueryField()
  size: number = 20;
}

export class LogsQueryDto {
  @ApiPropertyOptional({ description: 'Return lines with seq greater than this (0 = from the start)', minimum: 0, default: 0 })
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: 'expected >= 0' })
  @Max(Number.MAX_SAFE_INTEGER, { message: `expected <= ${Number.MAX_SAFE_INTEGER}` })
  after: number = 0;

  @ApiPropertyOptional({ description: 'At most this many lines', minimum: 1, maximum: 10_000, default: 1000 })
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'expected >= 1' })
  @Max(10_000, { message: 'expected <= 10000' })
  limit: number = 1000;
}

export class SyncStatsDto {
  @ApiProperty({ description: 'Files in the spider tree', example: 12 })
  filesTotal: number;
  @ApiProperty({ description: 'Files downloaded before the start', example: 2 })
  filesTransferred: number;
  @ApiProperty({ description: 'Bytes downloaded before the start', example: 4096 })
  bytesTransferred: number;
  @ApiProperty({ description: 'Stale files removed', example: 0 })
  filesDeleted: number;
  @ApiProperty({ description: 'Sync duration in ms', example: 35 })
  durationMs: number;
}

export class EnvStatsDto {
  @ApiProperty({ description: 'Keys of the dependency environments the command ran in', type: [String], example: ['py-3f1c0e9a2b7d4c5e8f9a0b1c2d3e4f5a'] })
  keys: string[];
  @ApiProperty({ description: 'True when every environment was already built on the node (no install)' })
  cached: boolean;
  @ApiProperty({ description: 'Time of the environment stage (build or lookup), ms', example: 14250 })
  buildMs: number;
}

export class AttemptDto {
  @ApiProperty({ description: 'Attempt number, from 1', example: 1 })
  attempt: number;
  @ApiProperty({ description: 'Node it ran on', type: String, nullable: true })
  nodeId: string | null;
  @ApiProperty({ description: 'Name of that node; null when none or the node was deleted', type: String, nullable: true, example: 'worker-1' })
  nodeName: string | null;
  @ApiProperty({ description: 'How it ended', enum: TASK_STATUSES })
  status: TaskStatus;
  @ApiProperty({ description: 'Why it ended', type: String, nullable: true })
  error: string | null;
  @ApiProperty({ description: 'ISO-8601 time it ended' })
  at: string;
  @ApiPropertyOptional({ description: 'True: its worker shut down and handed the task back to run elsewhere (this attempt used no retry); absent otherwise' })
  handedBack?: boolean;
}

/** Where tasks may run: shared by the task and schedule views. */
export class PlacementViewDto {
  @ApiProperty({ description: 'Placement mode', enum: TASK_MODES })
  mode: TaskMode;
  @ApiProperty({ description: 'Selected node ids', type: [String] })
  nodeIds: string[];
  @ApiProperty({ description: 'Node label selector {k: v}', ...STRING_MAP_SCHEMA })
  labels: Record<string, string>;
}

export class TaskDto extends PlacementViewDto implements TaskView {
  @ApiProperty({ description: 'Task id', example: '665f1c2e8b3a4d0012345679' })
  id: string;
  @ApiProperty({ description: 'Result items stored so far (live while it runs)', example: 120 })
  resultCount: number;
  @ApiProperty({ description: 'Result items refused (malformed, too large, not storable); each is explained in the log', example: 0 })
  resultErrors: number;
  @ApiProperty({ description: 'Result items whose dedup keys were already stored', example: 3 })
  resultDuplicates: number;
  @ApiProperty({ description: 'Spider id', example: '665f1c2e8b3a4d0012345678' })
  spiderId: string;
  @ApiProperty({ description: 'Spider file-tree version the task runs', example: 3 })
  spiderVersion: number;
  @ApiPropertyOptional({ description: 'GET /api/tasks/:id only: the git commit that version was pulled from (docs/git.md); null for an uploaded version', type: GitCommitDto, nullable: true })
  git?: GitCommitDto | null;
  @ApiProperty({ description: 'Command run', example: 'python3 main.py' })
  cmd: string;
  @ApiProperty({ description: 'Parameters appended to the command', example: '' })
  param: string;
  @ApiProperty({ description: 'Extra environment {k: v}', ...STRING_MAP_SCHEMA })
  env: Record<string, string>;
  @ApiProperty({ description: 'Priority 1..10, higher first', example: 5 })
  priority: number;
  @ApiProperty({ description: 'Status', enum: TASK_STATUSES })
  status: TaskStatus;
  @ApiProperty({ description: 'Node it is assigned to', type: String, nullable: true })
  nodeId: string | null;
  @ApiProperty({ description: 'Current attempt, from 1', example: 1 })
  attempt: number;
  @ApiProperty({ description: 'Retries allowed after an abnormal end', example: 0 })
  maxRetries: number;
  @ApiProperty({ description: 'Timeout in seconds, 0 = none', example: 0 })
  timeoutSec: number;
  @ApiProperty({ description: "SIGTERM → SIGKILL grace in seconds (the task's, else its spider's); 0 = the worker's default", example: 0 })
  killGraceSec: number;
  @ApiProperty({ description: 'Exit code of the process', type: Number, nullable: true })
  exitCode: number | null;
  @ApiProperty({ description: 'Why it failed', type: String, nullable: true })
  error: string | null;
  @ApiProperty({ description: 'ISO-8601 creation time' })
  createdAt: string;
  @ApiProperty({ description: 'ISO-8601 assignment time', type: String, nullable: true })
  assignedAt: string | null;
  @ApiProperty({ description: 'ISO-8601 start time', type: String, nullable: true })
  startedAt: string | null;
  @ApiProperty({ description: 'ISO-8601 end time', type: String, nullable: true })
  finishedAt: string | null;
  @ApiProperty({ description: 'Schedule that created it', type: String, nullable: true })
  scheduleId: string | null;
  @ApiProperty({ description: 'ISO-8601 nominal tick of the schedule that created it (its identity: one task per tick and node); null when not scheduled', type: String, nullable: true })
  scheduledFor: string | null;
  @ApiProperty({ description: 'Task it restarts', type: String, nullable: true })
  parentId: string | null;
  @ApiProperty({ description: 'File sync before the start', type: SyncStatsDto, nullable: true })
  sync: SyncStatsDto | null;
  @ApiProperty({ description: 'Environment stage before the start (requirements.txt / package.json), null when the spider has none', type: EnvStatsDto, nullable: true })
  environment: EnvStatsDto | null;
  @ApiProperty({ description: 'Earlier attempts that ended without ending the task', type: [AttemptDto] })
  attempts: AttemptDto[];
  @ApiProperty({ description: 'Why a pending task has not started yet; null when not pending', type: String, nullable: true })
  pendingReason: string | null;
  @ApiProperty({ description: 'Name of the node in nodeId; null when none or the node was deleted', type: String, nullable: true, example: 'worker-1' })
  nodeName: string | null;
  @ApiProperty({
    description: 'Current attempt, ms from its assignment to a node (file sync and environment build included) to its end; up to the time of the answer while assigned or running; null while pending',
    type: Number,
    nullable: true,
    example: 21_340,
  })
  durationMs: number | null;
  @ApiProperty({ description: 'The part of durationMs before the command started (file sync, environment build); null while pending', type: Number, nullable: true, example: 20_110 })
  prepareMs: number | null;
  @ApiProperty({ description: 'The part of durationMs since the command started; null before it started', type: Number, nullable: true, example: 1230 })
  runMs: number | null;
}

export class TasksCreatedDto {
  @ApiProperty({ description: 'The tasks created (all-nodes: one per node)', type: [TaskDto] })
  tasks: TaskDto[];
}

export class TaskPageDto {
  @ApiProperty({ description: 'Tasks of this page, newest first', type: [TaskDto] })
  items: TaskDto[];
  @ApiProperty({ description: 'Tasks matching the filter, all pages (from maintained counts; see totalExact)', example: 42 })
  total: number;
  @ApiProperty({ description: 'false when `total` is an estimate: with spiderId and nodeId together it is the smaller of the two counts' })
  totalExact: boolean;
  @ApiProperty({
    description: 'Pass as `after` for the next page; null at the end. A page may hold fewer than `size` items when the walk hit its time budget: continue with nextAfter',
    type: String,
    nullable: true,
    example: '665f1c2e8b3a4d0012345678',
  })
  nextAfter: string | null;
}

export class LogLineDto implements LogLineView {
  @ApiProperty({ description: 'Line number, from 1, without gaps', example: 1 })
  seq: number;
  @ApiProperty({ description: 'ISO-8601 time the line was read' })
  ts: string;
  @ApiProperty({ description: 'Stream it came from', enum: ['stdout', 'stderr'] })
  stream: 'stdout' | 'stderr';
  @ApiProperty({ description: 'The line, without its newline', example: 'fetched 20 quotes' })
  text: string;
}

export class LogPageDto {
  @ApiProperty({ description: 'Lines after `after`', type: [LogLineDto] })
  lines: LogLineDto[];
  @ApiProperty({ description: 'Pass as `after` to get the next lines', example: 1000 })
  nextAfter: number;
  @ApiProperty({ description: 'True when the task has ended and every line was returned', example: false })
  done: boolean;
}
