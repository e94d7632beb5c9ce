import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { OptionalField } from './field-validators';

export class HealthDto {
  @ApiProperty({ description: 'degraded: the database does not answer', enum: ['ok', 'degraded'] })
  status: 'ok' | 'degraded';
  @ApiProperty({ description: 'Database reachability', enum: ['up', 'down'] })
  db: 'up' | 'down';
  @ApiProperty({ description: 'Id of the master replica that answered' })
  replica: string;
  @ApiProperty({
    description: 'Per-check results from @nestjs/terminus, e.g. {db: {status: "up"}}; a failing check carries its message',
    type: 'object',
    additionalProperties: true,
    example: { db: { status: 'up' } },
  })
  details: Record<string, unknown>;
}

export class NodeCountsDto {
  @ApiProperty({ description: 'Nodes online', example: 3 })
  online: number;
  @ApiProperty({ description: 'Nodes offline', example: 0 })
  offline: number;
}

export class TaskCountsDto {
  @ApiProperty({ description: 'Tasks waiting for a node' })
  pending: number;
  @ApiProperty({ description: 'Tasks sent to a node, not started yet' })
  assigned: number;
  @ApiProperty({ description: 'Tasks running' })
  running: number;
  @ApiProperty({ description: 'Tasks that exited 0' })
  finished: number;
  @ApiProperty({ description: 'Tasks that failed' })
  error: number;
  @ApiProperty({ description: 'Tasks cancelled' })
  cancelled: number;
  @ApiProperty({ description: 'Tasks lost with their node or master' })
  abnormal: number;
}

export class OfflineCausesDto {
  @ApiProperty({ description: 'The control stream closed' })
  streamClosed: number;
  @ApiProperty({ description: 'No heartbeat within the node timeout' })
  heartbeatTimeout: number;
  @ApiProperty({ description: 'The replica holding the node went silent' })
  replicaSilent: number;
}

export class NodeEventsDto {
  @ApiProperty({ description: 'Transitions to online seen by this replica' })
  online: number;
  @ApiProperty({ description: 'Transitions to offline by cause', type: OfflineCausesDto })
  offline: OfflineCausesDto;
  @ApiProperty({ description: 'Heartbeats received by this replica' })
  heartbeats: number;
  @ApiProperty({ description: 'Writes of node documents by this replica (transitions: online, readiness, offline; none per heartbeat)' })
  dbWrites: number;
  @ApiProperty({ description: "Renewals of this replica's lease, which carries its nodes' heartbeat state (one per renewal interval, whatever the number of nodes)" })
  leaseWrites: number;
  @ApiProperty({ description: 'Milliseconds since this replica started counting' })
  sinceMs: number;
}

export class StatsDto {
  @ApiProperty({ description: 'Nodes by status', type: NodeCountsDto })
  nodes: NodeCountsDto;
  @ApiProperty({ description: 'Tasks by status', type: TaskCountsDto })
  tasks: TaskCountsDto;
  @ApiProperty({ description: 'Pending tasks older than CRAWLNEST_STUCK_PENDING_MS' })
  stuckPending: number;
  @ApiProperty({ description: 'Age of the oldest pending task, ms (0: none)' })
  oldestPendingAgeMs: number;
  @ApiProperty({ description: 'Tasks that ended today (UTC day), from maintained daily counts', example: 12 })
  tasksEndedToday: number;
  @ApiProperty({ description: 'Result items stored today (UTC day), from maintained daily counts', example: 3400 })
  itemsToday: number;
  @ApiProperty({ description: "This replica's node counters since it started", type: NodeEventsDto })
  nodeEvents: NodeEventsDto;
}

export class ActivityQueryDto {
  @ApiPropertyOptional({ description: 'How many minutes back, the current one included', minimum: 1, maximum: 60, default: 60 })
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'expected >= 1' })
  @Max(60, { message: 'expected <= 60' })
  minutes: number = 60;
}

export class ActivityBucketDto {
  @ApiProperty({ description: 'Start of the minute (UTC)', example: '2026-11-29T21:05:00.000Z' })
  minute: string;
  @ApiProperty({ description: 'Tasks that finished in this minute' })
  finished: number;
  @ApiProperty({ description: 'Tasks that ended in error in this minute' })
  error: number;
  @ApiProperty({ description: 'Tasks cancelled in this minute' })
  cancelled: number;
  @ApiProperty({ description: 'Tasks declared abnormal in this minute' })
  abnormal: number;
}

export class ActivityDto {
  @ApiProperty({ description: 'One bucket per minute, oldest first, the current minute last', type: [ActivityBucketDto] })
  buckets: ActivityBucketDto[];
}
