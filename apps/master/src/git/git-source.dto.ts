import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../http/dto/field-validators';

export class SetGitSourceDto {
  @ApiProperty({ description: 'https://, http://, git://, file:// (credentials in an https URL are moved to the encrypted store)', example: 'https://github.com/acme/spiders.git' })
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

  @ApiPropertyOptional({ description: 'Pull every N seconds (0 = off; minimum 10)', default: 0, example: 60 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(0, { message: 'expected 0 or 10..86400' })
  @Max(86_400, { message: 'expected 0 or 10..86400' })
  autoPullSec?: number;
}

export class GitSourceDto {
  @ApiProperty() spiderId!: string;
  @ApiProperty() url!: string;
  @ApiProperty() ref!: string;
  @ApiProperty() path!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ description: 'A credential is stored (it is never returned)' }) hasCredential!: boolean;
  @ApiProperty() autoPullSec!: number;
  @ApiProperty({ type: String, nullable: true }) lastCommit!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastPulledAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

export class GitPullDto {
  @ApiProperty({ description: 'A new version was made (the tree at ref, under path, changed)' }) changed!: boolean;
  @ApiProperty({ description: "The spider's current version" }) version!: number;
  @ApiProperty({ description: 'The commit id pulled' }) commit!: string;
}
