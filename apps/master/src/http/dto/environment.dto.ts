import { ApiProperty } from '@nestjs/swagger';

export class RuntimeDto {
  @ApiProperty({ description: 'Tool found on the worker', example: 'python3' })
  name: string;
  @ApiProperty({ description: 'Its version', example: '3.11.7' })
  version: string;
}

const ENV_KINDS = ['python', 'node'];
const ENV_STATES = ['building', 'ready', 'in-use'];

export class NodeEnvironmentDto {
  @ApiProperty({ description: 'Environment key: kind prefix + sha256 of the dependency files and interpreter version', example: 'py-3f1c0e9a2b7d4c5e8f9a0b1c2d3e4f5a' })
  key: string;
  @ApiProperty({ description: 'python (requirements.txt) or node (package.json)', enum: ENV_KINDS })
  kind: string;
  @ApiProperty({ description: 'Size on the worker\'s disk, bytes (0 while building)', example: 15728640 })
  sizeBytes: number;
  @ApiProperty({ description: 'ISO-8601 time a task last used it', type: String, nullable: true })
  lastUsedAt: string | null;
  @ApiProperty({ description: 'building, ready, or in-use (a task runs in it: never evicted)', enum: ENV_STATES })
  state: string;
}
