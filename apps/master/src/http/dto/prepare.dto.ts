import { ApiPropertyOptional } from '@nestjs/swagger';
import type { Label } from '@crawlnest/node';
import type { TaskMode } from '@crawlnest/task';
import { IsStringMap, noLabels, OptionalField, PlacementModeField, PlacementNodeIdsField } from './field-validators';
import { STRING_MAP_SCHEMA } from './task.dto';

/** Where to build a spider's environments ahead of its runs: placed like a task. */
export class PrepareSpiderDto {
  @PlacementModeField('Which nodes build: every matching node (default), any one, or the listed nodes', 'all-nodes')
  mode: TaskMode = 'all-nodes';

  @PlacementNodeIdsField()
  nodeIds: string[] = [];

  @ApiPropertyOptional({ description: 'Node label selector {k: v}: only nodes with all these labels', ...STRING_MAP_SCHEMA, default: {}, example: { region: 'eu' } })
  @OptionalField()
  @IsStringMap()
  labels: Label[] = noLabels();
}
