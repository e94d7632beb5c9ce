import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../http/dto/field-validators';
import type { SourceView } from './git-pull.service';

export class SetGitSourceDto {
  @ApiProperty({ description: 'https://, http://, git://, file://, ssh:// or user@host:path (credentials in an https URL are moved to the encrypted store)', example: 'https://github.com/acme/spiders.git' })
  @IsString()
  @Length(1, 2048, { message: 'expected 1..2048 characters' })
  url!: string;

  @ApiPropertyOptional({ description: 'Branch, tag or commit id', default: 'main', example: 'main' })
  @OptionalField()
  @IsString()
  @MaxLength(200, { message: 'at most 200 characters' })
  ref?: string;

  @ApiPropertyOptional({ description: "The spider's subdirectory of the repository ('' = its root)", default: '', example: 'spiders/shop' })
  @OptionalField()
  @IsString()
  @MaxLength(1024, { message: 'at most 1024 characters' })
  path?: string;

  @ApiPropertyOptional({ description: 'HTTP username for the token (default `git`)' })
  @OptionalField()
  @IsString()
  @MaxLength(200, { message: 'at most 200 characters' })
  username?: string;

  @ApiPropertyOptional({ description: 'HTTP token or password; stored encrypted, never returned. Omitted: the stored one is kept for the same URL' })
  @OptionalField()
  @IsString()
  @MaxLength(4096, { message: 'at most 4096 characters' })
  token?: string;

  @ApiPropertyOptional({ description: 'ssh URLs: the deploy key (an unencrypted private key, OpenSSH or PEM); stored encrypted, never returned. Omitted: the stored one is kept for the same URL' })
  @OptionalField()
  @IsString()
  @MaxLength(16_384, { message: 'at most 16384 characters' })
  sshKey?: string;

  @ApiPropertyOptional({ description: 'Pull every N seconds (0 = off; minimum 10)', default: 0, example: 60 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: 'expected 0 or 10..86400' })
  @Max(86_400, { message: 'expected 0 or 10..86400' })
  autoPullSec?: number;
}

export class GitSourceDto implements SourceView {
  @ApiProperty({ description: 'The spider this source belongs to' }) spiderId!: string;
  @ApiProperty({ description: 'Repository URL, without credentials' }) url!: string;
  @ApiProperty({ description: 'Branch, tag or commit id' }) ref!: string;
  @ApiProperty({ description: "The spider's subdirectory ('' = the repository root)" }) path!: string;
  @ApiProperty({ description: 'HTTP username for the token', type: String, nullable: true }) username!: string | null;
  @ApiProperty({ description: 'A credential is stored (it is never returned)' }) hasCredential!: boolean;
  @ApiProperty({ description: 'Auto-pull interval in seconds; 0 = off' }) autoPullSec!: number;
  @ApiProperty({ description: 'The commit of the last successful pull', type: String, nullable: true }) lastCommit!: string | null;
  @ApiProperty({ description: 'When the last pull ran (ISO-8601)', type: String, nullable: true }) lastPulledAt!: string | null;
  @ApiProperty({ description: 'Why the last pull failed; null after a success', type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ description: 'ssh sources: the fingerprint of the host key pinned on the first fetch (`ssh-ed25519 SHA256:…`); a different key is refused', type: String, nullable: true })
  hostKeyFingerprint!: string | null;
}

export class GitPullDto {
  @ApiProperty({ description: 'A new version was made (the tree at ref, under path, changed)' }) changed!: boolean;
  @ApiProperty({ description: "The spider's current version" }) version!: number;
  @ApiProperty({ description: 'The commit id pulled' }) commit!: string;
}

export class GitCommitDto {
  @ApiProperty({ description: 'Commit id' }) commit!: string;
  @ApiProperty({ description: 'Author as `Name <email>`' }) author!: string;
  @ApiProperty({ description: "The commit message's first line" }) message!: string;
  @ApiProperty({ description: 'Author date (ISO-8601)' }) committedAt!: string;
  @ApiProperty({ description: 'The ref the version was pulled from' }) ref!: string;
}

export class GitVersionDto {
  @ApiProperty({ description: 'Version number' }) version!: number;
  @ApiProperty({ description: 'Files in the version' }) fileCount!: number;
  @ApiProperty({ description: 'Bytes in the version' }) totalBytes!: number;
  @ApiProperty({ description: 'When the version was made (ISO-8601)' }) createdAt!: string;
  @ApiProperty({ description: 'The commit it was pulled from; null for an upload', type: GitCommitDto, nullable: true }) git!: GitCommitDto | null;
}

export class GitWebhookPullDto {
  @ApiProperty({ description: 'A spider the push matched' }) spiderId!: string;
  @ApiPropertyOptional({ description: 'A new version was made' }) changed?: boolean;
  @ApiPropertyOptional({ description: "The spider's current version" }) version?: number;
  @ApiPropertyOptional({ description: 'The commit pulled' }) commit?: string;
  @ApiPropertyOptional({ description: 'Why the pull failed' }) error?: string;
}

export class GitWebhookResultDto {
  @ApiProperty({ description: 'github, gitlab or gitea' }) provider!: string;
  @ApiProperty({ description: '`push`, or `ignored` for other events' }) event!: string;
  @ApiPropertyOptional({ description: 'The pushed ref (`refs/heads/main`)' }) ref?: string;
  @ApiProperty({ description: 'One entry per matching spider', type: [GitWebhookPullDto] }) pulled!: GitWebhookPullDto[];
}
