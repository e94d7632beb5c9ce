import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GitCommitDto } from '../../git/git-source.dto';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { asStack, OptionalField } from './field-validators';
import { DedupBackfillDto, DedupField, DedupSettingDto, ResultsCollectionField } from './results.dto';
import { MAX_KILL_GRACE_SEC } from './task.dto';
import type { SpiderView, VersionDiffView } from '@crawlnest/sync';

/** `killGraceSec` on create and PATCH: 0..MAX_KILL_GRACE_SEC, 0 = the worker's default. */
const SpiderKillGraceField = () =>
  asStack(
    ApiPropertyOptional({
      description: "On cancel or timeout: seconds between SIGTERM and SIGKILL to a task's process group, unless the task sets its own (0 = the worker's CRAWLNEST_KILL_GRACE_MS)",
      minimum: 0,
      maximum: MAX_KILL_GRACE_SEC,
      example: 30,
    }),
    OptionalField(),
    IsInt({ message: 'expected an integer' }),
    Min(0, { message: `expected 0..${MAX_KILL_GRACE_SEC}` }),
    Max(MAX_KILL_GRACE_SEC, { message: `expected 0..${MAX_KILL_GRACE_SEC}` }),
  );

/** `keepVersions` on create and PATCH: 1..100000, or null for the master default. */
const KeepVersionsField = () =>
  asStack(
    ApiPropertyOptional({
      description: 'Versions to keep (plus any an open task uses); null: the master default (CRAWLNEST_KEEP_VERSIONS, 10)',
      type: Number,
      nullable: true,
      minimum: 1,
      maximum: 100000,
      example: 10,
    }),
    IsOptional(),
    IsInt({ message: 'expected an integer' }),
    Min(1, { message: 'expected 1..100000' }),
    Max(100_000, { message: 'expected 1..100000' }),
  );

export class CreateSpiderDto {
  @ApiProperty({ description: 'Display name', maxLength: 200, minLength: 1, example: 'quotes' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  name: string;

  @ApiProperty({ description: 'Shell command run (through /bin/sh -c) in the spider directory', maxLength: 4096, minLength: 1, example: 'python3 main.py' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(1, 4096, { message: 'expected 1..4096 characters' })
  cmd: string;

  @ApiPropertyOptional({ description: 'Parameters appended to the command', maxLength: 4096, default: '', example: '--pages 3' })
  @OptionalField()
  @IsString()
  @MaxLength(4096, { message: 'at most 4096 characters' })
  param: string = '';

  @ApiPropertyOptional({ description: 'Free text', maxLength: 10_000, default: '', example: 'Scrapes quotes.toscrape.com' })
  @OptionalField()
  @IsString()
  @MaxLength(10_000, { message: 'at most 10000 characters' })
  description: string = '';

  @ResultsCollectionField()
  resultsCollection?: string;

  @DedupField()
  dedup?: DedupSettingDto | null;
  @SpiderKillGraceField()
  killGraceSec?: number;

  @KeepVersionsField()
  keepVersions?: number | null;

  @ApiPropertyOptional({ description: "Project it belongs to; may be omitted by a member of exactly one project (that one) and by admins (the default project)", example: '665f1c2e8b3a4d0012345678' })
  @OptionalField()
  @Matches(/^[0-9a-f]{24}$/, { message: 'expected a 24-hex project id' })
  projectId?: string;
}

export class PatchSpiderDto {
  @ApiPropertyOptional({ description: 'Display name', maxLength: 200, minLength: 1, example: 'quotes' })
  @OptionalField()
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  name?: string;

  @ApiPropertyOptional({ description: 'Shell command run in the spider directory', maxLength: 4096, minLength: 1, example: 'python3 main.py' })
  @OptionalField()
  @IsString()
  @Length(1, 4096, { message: 'expected 1..4096 characters' })
  cmd?: string;

  @ApiPropertyOptional({ description: 'Parameters appended to the command', maxLength: 4096, example: '--pages 3' })
  @OptionalField()
  @IsString()
  @MaxLength(4096, { message: 'at most 4096 characters' })
  param?: string;

  @ApiPropertyOptional({ description: 'Free text', maxLength: 10_000, example: 'Scrapes quotes.toscrape.com' })
  @OptionalField()
  @IsString()
  @MaxLength(10_000, { message: 'at most 10000 characters' })
  description?: string;

  @ResultsCollectionField()
  resultsCollection?: string;

  @DedupField()
  dedup?: DedupSettingDto | null;
  @SpiderKillGraceField()
  killGraceSec?: number;

  @KeepVersionsField()
  keepVersions?: number | null;
}

export class FileModeQueryDto {
  @ApiPropertyOptional({ description: 'Octal file mode (only the permission bits are kept)', pattern: '^[0-7]{3,4}$', example: '755' })
  @OptionalField()
  @IsString()
  @Matches(/^[0-7]{3,4}$/, { message: 'expected an octal mode like 755' })
  mode?: string;
}

export class PutFileQueryDto extends FileModeQueryDto {
  @ApiPropertyOptional({
    description: 'The version the writer read the file at: when the file changed in a later version the save is refused with 409 naming it (no silent overwrite)',
    pattern: '^[0-9]+$',
    example: '4',
  })
  @OptionalField()
  @IsString()
  @Matches(/^[0-9]{1,15}$/, { message: 'expected a version number' })
  baseVersion?: string;
}

export class TreeUploadQueryDto {
  @ApiPropertyOptional({
    description: "Archive uploads: 'true' (default) drops a single top-level folder holding everything; 'false' keeps every path as sent (the CLI sends false: the folder it packs is the root)",
    enum: ['true', 'false'],
  })
  @OptionalField()
  @IsIn(['true', 'false'], { message: 'expected true or false' })
  unwrap?: 'true' | 'false';
}

export class SpiderDto implements SpiderView {
  @ApiProperty({ description: 'Spider id', example: '665f1c2e8b3a4d0012345678' })
  id: string;
  @ApiProperty({ description: 'Display name', example: 'quotes' })
  name: string;
  @ApiProperty({ description: 'Shell command', example: 'python3 main.py' })
  cmd: string;
  @ApiProperty({ description: 'Parameters appended to the command', example: '' })
  param: string;
  @ApiProperty({ description: 'Free text', example: '' })
  description: string;
  @ApiProperty({ description: 'Versions kept (plus any an open task uses); null: the master default', type: Number, nullable: true, example: null })
  keepVersions: number | null;
  @ApiProperty({ description: 'Version of the file tree, +1 on each change', example: 3 })
  version: number;
  @ApiProperty({ description: 'Number of files in the current tree', example: 12 })
  fileCount: number;
  @ApiProperty({ description: 'Total size of the current tree in bytes', example: 40960 })
  totalBytes: number;
  @ApiProperty({ description: 'Collection its results are stored in', example: 'results_quotes' })
  resultsCollection: string;
  @ApiProperty({ description: 'Results dedup (null: every item is stored)', type: DedupSettingDto, nullable: true })
  dedup: DedupSettingDto | null;
  @ApiProperty({ description: 'Results stored for this spider (kept as they are stored, not counted)', example: 1200 })
  resultCount: number;
  @ApiProperty({
    description: 'The last dedup backfill (claims the keys of items already stored when dedup is turned on or its keys change); null: none',
    type: DedupBackfillDto,
    nullable: true,
  })
  dedupBackfill: DedupBackfillDto | null;
  @ApiProperty({ description: "Grace in seconds between SIGTERM and SIGKILL for its tasks; 0 = the worker's default", example: 0 })
  killGraceSec: number;
  @ApiProperty({ description: 'Project it belongs to (spiders from before projects: the default project)', example: '64656661756c740000000000' })
  projectId: string;
  @ApiProperty({ description: 'ISO-8601 creation time', example: '2025-01-01T00:00:00.000Z' })
  createdAt: string;
  @ApiProperty({ description: 'ISO-8601 last update time', example: '2025-01-01T00:00:00.000Z' })
  updatedAt: string;
}

export class FilesVersionDto {
  @ApiProperty({ description: 'The new version of the file tree (the current one when `unchanged`)', example: 4 })
  version: number;
  @ApiPropertyOptional({ description: 'Present (true) only when the content equals the current version: no version was made and no worker syncs', example: true })
  unchanged?: boolean;
}

export class TreeSummaryDto extends FilesVersionDto {
  @ApiProperty({ description: 'Number of files stored', example: 12 })
  fileCount: number;
  @ApiProperty({ description: 'Total size in bytes', example: 40960 })
  totalBytes: number;
}

export class TreeUploadDto extends TreeSummaryDto {
  @ApiProperty({
    description: 'The single top-level folder of an archive that was dropped from every path (the folder became the spider root), or null',
    type: String,
    nullable: true,
    example: 'shop/',
  })
  unwrapped: string | null;
}

export class ManifestEntryDto {
  @ApiProperty({ description: 'Relative path', example: 'spiders/quotes.py' })
  path: string;
  @ApiProperty({ description: 'Size in bytes', example: 2048 })
  size: number;
  @ApiProperty({ description: 'File mode (permission bits, as a number)', example: 420 })
  mode: number;
  @ApiProperty({ description: 'SHA-256 of the content, hex', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256: string;
}

export class ManifestDto {
  @ApiProperty({ description: 'Version of the file tree', example: 3 })
  version: number;
  @ApiProperty({ description: 'Every file of the tree', type: [ManifestEntryDto] })
  files: ManifestEntryDto[];
}

export class SpiderVersionDto {
  @ApiProperty({ description: 'Version number of the file tree', example: 3 })
  version: number;
  @ApiProperty({ description: 'Files in that version', example: 12 })
  fileCount: number;
  @ApiProperty({ description: 'Total size of that version in bytes', example: 40960 })
  totalBytes: number;
  @ApiProperty({ description: 'ISO-8601 time the version was made', example: '2025-01-01T00:00:00.000Z' })
  createdAt: string;
  @ApiProperty({ description: 'The version this one restored (POST …/versions/:version/restore), or null', type: Number, nullable: true, example: null })
  restoredFrom: number | null;
  @ApiProperty({ description: 'The git commit a pull made this version from (docs/git.md); null for an upload', type: GitCommitDto, nullable: true })
  git: GitCommitDto | null;
}

export class ChangedFileDto {
  @ApiProperty({ description: 'Relative path', example: 'shop/items.py' })
  path: string;
  @ApiProperty({ description: 'The file in the first version', type: ManifestEntryDto })
  from: ManifestEntryDto;
  @ApiProperty({ description: 'The file in the second version', type: ManifestEntryDto })
  to: ManifestEntryDto;
  @ApiPropertyOptional({ description: 'Unified diff (text files under 1 MiB in both versions; absent for binary, large or mode-only changes)', example: '--- a/run.sh\tversion 1\n+++ b/run.sh\tversion 2\n@@ -1 +1 @@\n-echo one\n+echo two\n' })
  diff?: string;
}

export class VersionDiffDto implements VersionDiffView {
  @ApiProperty({ description: 'The first version', example: 3 })
  from: number;
  @ApiProperty({ description: 'The second version', example: 4 })
  to: number;
  @ApiProperty({ description: 'Files in the second version only', type: [ManifestEntryDto] })
  added: ManifestEntryDto[];
  @ApiProperty({ description: 'Files in the first version only', type: [ManifestEntryDto] })
  removed: ManifestEntryDto[];
  @ApiProperty({ description: 'Files in both with other content or mode', type: [ChangedFileDto] })
  changed: ChangedFileDto[];
}

export class UploadLimitsDto {
  @ApiProperty({ description: 'Largest upload body (an archive, one file, one multipart part) in bytes: CRAWLNEST_MAX_UPLOAD_BYTES', example: 536870912 })
  maxUploadBytes: number;
  @ApiProperty({ description: 'Largest total size of one tree in bytes: CRAWLNEST_MAX_TREE_BYTES', example: 2147483648 })
  maxTreeBytes: number;
  @ApiProperty({ description: 'Most files in one tree: CRAWLNEST_MAX_TREE_FILES', example: 20000 })
  maxTreeFiles: number;
}

/** Documents the bodies of `PUT /api/spiders/:id/files`. */
export class MultipartFilesDto {
  @ApiProperty({ description: 'One part per file; the part filename is the relative path', type: 'array', items: { type: 'string', format: 'binary' } })
  file: unknown[];
}

export class FileChangesDto {
  @ApiProperty({ description: 'The version the changes were made on (the tree the user saw)', example: '4' })
  baseVersion: string;
  @ApiProperty({
    description:
      'JSON array, applied in order: {"op":"put","path"} (content: the file part whose filename is that path), {"op":"delete","path"} (a file or a whole folder), {"op":"move","from","to"} (rename or move a file or folder; the target must not exist), {"op":"mkdir","path"} (a folder left empty holds a `.keep` file)',
    example: '[{"op":"mkdir","path":"lib"},{"op":"move","from":"util.py","to":"lib/util.py"},{"op":"delete","path":"old.py"}]',
  })
  changes: string;
  @ApiPropertyOptional({ description: 'One part per put change; the part filename is its path', type: 'array', items: { type: 'string', format: 'binary' } })
  file?: unknown[];
}
