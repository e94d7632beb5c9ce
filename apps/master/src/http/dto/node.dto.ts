import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import type { Label, NodeStatus } from '@crawlnest/node';
import { IsStringMap, OptionalField } from './field-validators';
import { STRING_MAP_SCHEMA } from './task.dto';
import { RuntimeDto } from './environment.dto';
import type { NodeView } from '@crawlnest/node';

const NODE_STATUSES = ['online', 'offline'] as const;

export class ListNodesQueryDto {
  @ApiPropertyOptional({ description: 'Only nodes in this status', enum: NODE_STATUSES })
  @OptionalField()
  @IsIn(NODE_STATUSES, { message: 'expected online or offline' })
  status?: NodeStatus;

  @ApiPropertyOptional({ description: 'Only nodes with this label, as key:value', pattern: '^[^:]+:.*$', example: 'region:eu' })
  @OptionalField()
  @IsString()
  @Matches(/^[^:]+:.*$/, { message: 'expected k:v' })
  label?: string;
}

/** `k:v` (already validated) as a label. */
export function parseLabelSelector(s: string): Label {
  const at = s.indexOf(':');
  return { key: s.slice(0, at), value: s.slice(at + 1) };
}

export class PatchNodeDto {
  @ApiPropertyOptional({ description: 'Replaces all labels {k: v} (≤100 entries, key ≤200, value ≤4096 chars)', ...STRING_MAP_SCHEMA, example: { region: 'eu' } })
  @OptionalField()
  @IsStringMap()
  labels?: Label[];

  @ApiPropertyOptional({ description: 'Tasks the node runs at once', minimum: 1, maximum: 1024, example: 4 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'expected 1..1024' })
  @Max(1024, { message: 'expected 1..1024' })
  maxRunners?: number;

  @ApiPropertyOptional({ description: 'A disabled node gets no new tasks', example: true })
  @OptionalField()
  @IsBoolean({ message: 'expected a boolean' })
  enabled?: boolean;
}

export class NodeResourcesDto {
  @ApiProperty({ description: 'CPU use of the machine, percent', example: 12.5 })
  cpuPercent: number;
  @ApiProperty({ description: 'Memory in use, bytes', example: 1073741824 })
  memoryBytes: number;
  @ApiProperty({ description: 'Free disk in the workspace, bytes', example: 10737418240 })
  diskFreeBytes: number;
}

export class NodeDto implements NodeView {
  @ApiProperty({ description: 'Node id', example: '665f1c2e8b3a4d0012345670' })
  id: string;
  @ApiProperty({ description: 'Stable node key (kept in the worker workspace)' })
  key: string;
  @ApiProperty({ description: 'Node name', example: 'worker-1' })
  name: string;
  @ApiProperty({ description: 'Host name of the worker machine' })
  hostname: string;
  @ApiProperty({ description: 'IP address the worker reported' })
  ip: string;
  @ApiProperty({ description: 'Labels {k: v}', ...STRING_MAP_SCHEMA, example: { region: 'eu' } })
  labels: Record<string, string>;
  @ApiProperty({ description: 'Tasks the node runs at once', example: 4 })
  maxRunners: number;
  @ApiProperty({ description: 'Tasks running now, as the node last reported; 0 while it is offline (not live)', example: 1 })
  runningTasks: number;
  @ApiProperty({ description: 'Connection status', enum: NODE_STATUSES })
  status: NodeStatus;
  @ApiProperty({ description: 'The worker process is connected and heart-beating' })
  active: boolean;
  @ApiProperty({ description: 'The node can take a task now' })
  taskReady: boolean;
  @ApiProperty({ description: 'False: the node gets no new tasks' })
  enabled: boolean;
  @ApiProperty({ description: 'Worker version' })
  version: string;
  @ApiProperty({ description: 'Tools found on the worker at registration (python3, node, npm) with versions', type: [RuntimeDto] })
  runtimes: RuntimeDto[];
  @ApiProperty({ description: 'ISO-8601 first registration' })
  registeredAt: string;
  @ApiProperty({ description: 'ISO-8601 time it last came online', type: String, nullable: true })
  activeAt: string | null;
  @ApiProperty({ description: 'ISO-8601 time it last went offline', type: String, nullable: true })
  offlineAt: string | null;
  @ApiProperty({ description: 'ISO-8601 last heartbeat', type: String, nullable: true })
  lastHeartbeatAt: string | null;
  @ApiProperty({ description: 'Master replica holding its control stream', type: String, nullable: true })
  connectedReplica: string | null;
  @ApiProperty({ description: 'Live machine resources; null while the node is offline (see lastResources)', type: NodeResourcesDto, nullable: true })
  resources: NodeResourcesDto | null;
  @ApiProperty({ description: 'The last machine resources the node reported, online or not (as of lastHeartbeatAt)', type: NodeResourcesDto, nullable: true })
  lastResources: NodeResourcesDto | null;
}

export class NodeSampleDto {
  @ApiProperty({ description: 'When the heartbeat that made this sample arrived (ISO 8601)', example: '2026-12-06T10:00:01.000Z' })
  at: string;
  @ApiProperty({ description: 'CPU use of the machine, percent', example: 12.5 })
  cpuPercent: number;
  @ApiProperty({ description: 'Memory in use, bytes', example: 1073741824 })
  memoryBytes: number;
  @ApiProperty({ description: 'Tasks running on the node', example: 1 })
  runningTasks: number;
}

export class NodeHistoryDto {
  @ApiProperty({ description: 'One sample per slot of this length (the first heartbeat in it)', example: 30000 })
  slotMs: number;
  @ApiProperty({ description: 'The span kept: 120 slots (the last hour at the default slot)', example: 3600000 })
  windowMs: number;
  @ApiProperty({ description: 'Samples of the window, oldest first; none for the slots the node was offline', type: [NodeSampleDto] })
  samples: NodeSampleDto[];
}
