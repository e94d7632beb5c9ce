import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import type { Label } from '@crawlnest/node';
import { TASK_MODES, TaskMode } from '@crawlnest/task';
import { IsObjectId, IsStringMap, noLabels, OptionalField } from './field-validators';
import { STRING_MAP_SCHEMA } from './task.dto';

/** Where to build a spider's environments ahead of its runs: placed like a task. */
export class PrepareSpiderDto {
  @ApiPropertyOptional({ description: 'Which nodes build: every matching node (default), any one, or the listed nodes', enum: TASK_MODES, default: 'all-nodes' })
  @OptionalField()
  @IsIn(TASK_MODES, { message: `expected one of ${TASK_MODES.join(', ')}` })
  mode: TaskMode = 'all-nodes';

  @ApiPropertyOptional({ description: 'Node ids for mode selected-nodes (also narrows the other modes)', type: [String], maxItems: 1000, default: [], example: [] })
  @OptionalField()
  @IsArray({ message: 'expected an array of ids' })
  @ArrayMaxSize(1000, { message: 'at most 1000 ids' })
  @IsObjectId({ each: true })
  nodeIds: string[] = [];

  @ApiPropertyOptional({ description: 'Node label selector {k: v}: only nodes with all these labels', ...STRING_MAP_SCHEMA, default: {}, example: { region: 'eu' } })
  @OptionalField()
  @IsStringMap()
  labels: Label[] = noLabels();
}
