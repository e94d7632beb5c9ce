import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsString, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { RESULTS_COLLECTION_PATTERN } from '@crawlnest/results';
import { IsObjectId, OptionalField, PageQueryField, SizeQueryField } from './field-validators';
import type { DedupBackfillView } from '@crawlnest/results';

export const DEDUP_MODES = ['ignore', 'overwrite'] as const;

export class DedupSettingDto {
  @ApiProperty({ description: 'Item fields whose values identify an item (1..20 top-level keys)', type: [String], example: ['url'] })
  @IsArray({ message: 'expected an array of field names' })
  @ArrayMinSize(1, { message: 'expected at least one key' })
  @ArrayMaxSize(20, { message: 'at most 20 keys' })
  @IsString({ each: true, message: 'expected field names (strings)' })
  @Length(1, 200, { each: true, message: 'each key: expected 1..200 characters' })
  keys: string[];

  @ApiProperty({ description: 'ignore: keep the first item of a key; overwrite: the latest replaces it', enum: DEDUP_MODES, example: 'ignore' })
  @IsIn(DEDUP_MODES, { message: `expected one of ${DEDUP_MODES.join(', ')}` })
  mode: 'ignore' | 'overwrite';
}

/** `resultsCollection` on create and PATCH. */
export const ResultsCollectionField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: 'Collection for its results: `results_` then letters, digits, `_` or `-` (default `results_<slug of name>`)',
      pattern: RESULTS_COLLECTION_PATTERN.source,
      example: 'results_quotes',
    }),
    OptionalField(),
    IsString(),
    Matches(RESULTS_COLLECTION_PATTERN, { message: 'expected results_ followed by 1..92 letters, digits, _ or -' }),
  );

/** `dedup` on create and PATCH: an object, or null to turn dedup off. */
export const DedupField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Results dedup by key fields; null turns it off', type: DedupSettingDto, nullable: true }),
    ValidateIf((_o: object, v: unknown) => v !== undefined && v !== null),
    IsObject({ message: 'expected {keys, mode} or null' }),
    ValidateNested(),
    Type(() => DedupSettingDto),
  );

export class ResultPageQueryDto {
  @PageQueryField('Page number, from 1 (newest first)')
  page: number = 1;

  @SizeQueryField()
  size: number = 20;
}

export class SpiderResultQueryDto extends ResultPageQueryDto {
  @ApiPropertyOptional({ description: 'Only results of this task', pattern: '^[0-9a-f]{24}$' })
  @OptionalField()
  @IsObjectId()
  taskId?: string;

  @ApiPropertyOptional({ description: 'Equality filter: the top-level field to compare (with value)', maxLength: 200, example: 'category' })
  @OptionalField()
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  @Matches(/^[^$]/, { message: 'must not start with $' })
  field?: string;

  @ApiPropertyOptional({ description: 'Equality filter: the value (matches a string, or the number / boolean it spells)', maxLength: 4096, example: 'books' })
  @OptionalField()
  @IsString()
  @Length(0, 4096, { message: 'at most 4096 characters' })
  value?: string;

  @ApiPropertyOptional({ description: 'With field+value: go on searching where the previous answer stopped (its `cursor`); page is then ignored', example: '812345' })
  @OptionalField()
  @IsString()
  @Matches(/^[0-9]{1,16}$/, { message: 'expected the cursor of a previous answer' })
  cursor?: string;
}

export const EXPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;

export class ExportQueryDto {
  @ApiPropertyOptional({ description: 'File format', enum: EXPORT_FORMATS, default: 'csv' })
  @OptionalField()
  @IsIn(EXPORT_FORMATS, { message: `expected one of ${EXPORT_FORMATS.join(', ')}` })
  format: (typeof EXPORT_FORMATS)[number] = 'csv';

  @ApiPropertyOptional({ description: 'Only results of this task', pattern: '^[0-9a-f]{24}$' })
  @OptionalField()
  @IsObjectId()
  taskId?: string;

  @ApiPropertyOptional({ description: '1: start a CSV with a UTF-8 byte order mark (for Excel)', enum: ['0', '1'], default: '0' })
  @OptionalField()
  @Transform(({ value }) => (value === undefined ? undefined : String(value)))
  @IsIn(['0', '1'], { message: 'expected 0 or 1' })
  bom?: '0' | '1';
}

export class DeleteResultsQueryDto {
  @ApiPropertyOptional({ description: 'Only results of this task', pattern: '^[0-9a-f]{24}$' })
  @OptionalField()
  @IsObjectId()
  taskId?: string;
}

export class ResultPageDto {
  @ApiProperty({
    description: 'Stored items, newest first: their own fields plus _id, _tid (task), _sid (spider), _ts (stored at)',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  items: Record<string, unknown>[];
  @ApiProperty({ description: 'Items in all pages (null with a field filter: counting it would scan the collection)', nullable: true, type: Number, example: 120 })
  total: number | null;
  @ApiPropertyOptional({
    description:
      'With a field filter that is not the dedup key: where to go on searching (pass as `cursor`); null when every item was searched',
    nullable: true,
    type: String,
  })
  cursor?: string | null;
  @ApiPropertyOptional({ description: 'With a field filter: items searched so far, newest first (of `of`)', type: Number, example: 240000 })
  searched?: number;
  @ApiPropertyOptional({ description: 'With a field filter: items there are to search', type: Number, example: 1000000 })
  of?: number;
  @ApiPropertyOptional({ description: 'With a field filter: true when the search stopped at its time budget with fewer than `size` items; `cursor` continues it', type: Boolean })
  partial?: boolean;
}

export class ResultsDeletedDto {
  @ApiProperty({ description: 'Items deleted', example: 120 })
  deleted: number;
}

export const BACKFILL_STATUSES = ['running', 'done', 'failed', 'superseded'] as const;

export class DedupBackfillDto implements DedupBackfillView {
  @ApiProperty({ description: 'running (claiming), done, failed (see error), superseded (the dedup setting changed again)', enum: BACKFILL_STATUSES, example: 'running' })
  status: (typeof BACKFILL_STATUSES)[number];
  @ApiProperty({ description: 'The dedup keys it claims', type: [String], example: ['url'] })
  keys: string[];
  @ApiProperty({ description: 'Stored items whose keys were claimed so far', example: 4000 })
  scanned: number;
  @ApiProperty({ description: "The spider's stored items when it was queued", example: 60000 })
  total: number;
  @ApiProperty({ description: 'Stored items whose key an earlier stored item holds (kept, see docs/results.md)', example: 12 })
  duplicates: number;
  @ApiProperty({ description: 'ISO-8601: queued (when dedup was turned on or its keys changed)' })
  createdAt: string;
  @ApiProperty({ description: 'ISO-8601: first started', nullable: true, type: String })
  startedAt: string | null;
  @ApiProperty({ description: 'ISO-8601: ended', nullable: true, type: String })
  finishedAt: string | null;
  @ApiProperty({ description: 'Why it failed or was superseded', nullable: true, type: String })
  error: string | null;
}
