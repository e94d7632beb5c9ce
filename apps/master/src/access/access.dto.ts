import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../http/dto/field-validators';
import { PROJECT_ROLES, ProjectRole, USER_ROLES, UserRole } from './access.policy';
import { MIN_PASSWORD_LENGTH } from './password';
import type { UserView } from './access.types';
import type { ProjectView } from './projects.service';
import type { TokenView } from './tokens.service';

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;
const USERNAME_MESSAGE = 'expected 2..63 lowercase letters, digits, ., _ or -';
const PASSWORD_MESSAGE = `expected ${MIN_PASSWORD_LENGTH}..1024 characters`;

export class LoginDto {
  @ApiProperty({ description: 'Username', example: 'alice' })
  @IsDefined({ message: 'required' })
  @IsString()
  @MaxLength(200)
  username: string;

  @ApiProperty({ description: 'Password', example: 'correct horse battery staple', format: 'password' })
  @IsDefined({ message: 'required' })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class MeProjectDto {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'Name' }) name: string;
  @ApiProperty({ enum: PROJECT_ROLES, description: 'Your role in it (admins: owner)' }) role: ProjectRole;
}

export class MeDto {
  @ApiProperty({ nullable: true, type: String, description: 'null for the root token' }) id: string | null;
  @ApiProperty({ description: 'Username' }) username: string;
  @ApiProperty({ description: 'Role', enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ description: 'Projects with your role in each', type: [MeProjectDto] }) projects: MeProjectDto[];
}

export class LoginResultDto {
  @ApiProperty({ description: 'A session token: send as Authorization: Bearer (the dashboard uses the cookie instead)' }) token: string;
  @ApiProperty({ description: 'Send as X-CSRF-Token with cookie-authenticated writes (also in the crawlnest_csrf cookie)' }) csrfToken: string;
  @ApiProperty({ description: 'ISO-8601 time it stops working (null: never)' }) expiresAt: string;
  @ApiProperty({ description: 'The signed-in user', type: MeDto }) user: MeDto;
}

export class CreateUserDto {
  @ApiProperty({ description: 'Username', example: 'alice', pattern: USERNAME.source })
  @IsDefined({ message: 'required' })
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username: string;

  @ApiProperty({ description: 'Password', minLength: MIN_PASSWORD_LENGTH, format: 'password' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, 1024, { message: PASSWORD_MESSAGE })
  password: string;

  @ApiPropertyOptional({ description: 'Role', enum: USER_ROLES, default: 'member' })
  @OptionalField()
  @IsIn(USER_ROLES as unknown as string[], { message: `expected one of ${USER_ROLES.join(', ')}` })
  role: UserRole = 'member';
}

export class PatchUserDto {
  @ApiPropertyOptional({ description: 'Role', enum: USER_ROLES })
  @OptionalField()
  @IsIn(USER_ROLES as unknown as string[], { message: `expected one of ${USER_ROLES.join(', ')}` })
  role?: UserRole;

  @ApiPropertyOptional({ description: 'A disabled user cannot sign in; their sessions and tokens stop working at once' })
  @OptionalField()
  @IsBoolean({ message: 'expected true or false' })
  disabled?: boolean;

  @ApiPropertyOptional({ minLength: MIN_PASSWORD_LENGTH, format: 'password', description: 'A new password; ends the user’s sessions' })
  @OptionalField()
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, 1024, { message: PASSWORD_MESSAGE })
  password?: string;
}

export class MembershipDto {
  @ApiProperty({ description: 'Project id (24 hex)' }) projectId: string;
  @ApiProperty({ description: 'Role', enum: PROJECT_ROLES }) role: ProjectRole;
}

export class UserDto implements UserView {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'Username' }) username: string;
  @ApiProperty({ description: 'Role', enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ description: 'Disabled users cannot sign in; their sessions and tokens stop working' }) disabled: boolean;
  @ApiProperty({ description: 'Projects with your role in each', type: [MembershipDto] }) projects: MembershipDto[];
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ description: 'ISO-8601 last change' }) updatedAt: string;
}

export class CreateProjectDto {
  @ApiProperty({ description: 'Name', example: 'shop-crawlers', pattern: USERNAME.source })
  @IsDefined({ message: 'required' })
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ description: 'Free text', default: '' })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description: string = '';
}

export class ProjectMemberDto {
  @ApiProperty({ description: 'User id (24 hex)' }) userId: string;
  @ApiProperty({ description: 'Username' }) username: string;
  @ApiProperty({ description: 'Role', enum: PROJECT_ROLES }) role: ProjectRole;
}

export class ProjectDto implements ProjectView {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'Name' }) name: string;
  @ApiProperty({ description: 'Free text' }) description: string;
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ enum: PROJECT_ROLES, nullable: true, description: 'Your role (null: you are an admin and not a member)' }) role: ProjectRole | null;
  @ApiProperty({ description: 'Members and their roles', type: [ProjectMemberDto] }) members: ProjectMemberDto[];
}

export class PutMemberDto {
  @ApiProperty({ description: 'Role', enum: PROJECT_ROLES })
  @IsDefined({ message: 'required' })
  @IsIn(PROJECT_ROLES as unknown as string[], { message: `expected one of ${PROJECT_ROLES.join(', ')}` })
  role: ProjectRole;
}

export class CreateTokenDto {
  @ApiProperty({ description: 'Name', example: 'ci' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  name: string;

  @ApiPropertyOptional({ description: 'Days until it stops working; absent: never (revoke it with DELETE)', minimum: 1, maximum: 3650 })
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'expected an integer' })
  @Min(1, { message: 'at least 1' })
  @Max(3650, { message: 'at most 3650' })
  expiresInDays?: number;
}

export class TokenDto implements TokenView {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'Name' }) name: string;
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ description: 'ISO-8601 time it stops working (null: never)', nullable: true, type: String }) expiresAt: string | null;
  @ApiProperty({ description: 'ISO-8601 last use (to the minute; null: never)', nullable: true, type: String }) lastUsedAt: string | null;
}

export class CreatedTokenDto {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'The token: shown this once, only its hash is stored' }) token: string;
  @ApiProperty({ description: 'ISO-8601 time it stops working (null: never)', nullable: true, type: String }) expiresAt: string | null;
}

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'User id (24 hex)' }) @OptionalField() @Matches(/^[0-9a-f]{24}$/, { message: 'expected a 24-hex id' }) userId?: string;
  @ApiPropertyOptional({ description: 'Owners must give their project; admins may omit it' })
  @OptionalField()
  @Matches(/^[0-9a-f]{24}$/, { message: 'expected a 24-hex id' })
  projectId?: string;
  @ApiPropertyOptional({ description: 'What was done: <area>.<operation> (auth.login.failure, spiders.create, tasks.cancel, …)', example: 'spiders.create' }) @OptionalField() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional({ description: 'ISO-8601: events after this time' })
  @OptionalField()
  @Matches(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, { message: 'expected an ISO-8601 time' })
  after?: string;
  @ApiPropertyOptional({ description: 'At most this many events', default: 200, maximum: 1000 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 200;
}

export class AuditEventDto {
  @ApiProperty({ description: 'Id (24 hex)' }) id: string;
  @ApiProperty({ description: 'ISO-8601 time of the event' }) at: string;
  @ApiProperty({ description: 'User id (24 hex)', nullable: true, type: String }) userId: string | null;
  @ApiProperty({ description: 'Username', nullable: true, type: String }) username: string | null;
  @ApiProperty({ description: 'How the actor signed in', enum: ['root', 'session', 'token', 'anonymous', 'system'] }) via: string;
  @ApiProperty({ description: 'Client address' }) ip: string;
  @ApiProperty({ description: 'What was done: <area>.<operation> (auth.login.failure, spiders.create, tasks.cancel, …)', example: 'spiders.create' }) action: string;
  @ApiProperty({ description: 'Id of the resource changed', nullable: true, type: String }) resourceId: string | null;
  @ApiProperty({ description: 'Project id (24 hex)', nullable: true, type: String }) projectId: string | null;
  @ApiProperty({ description: 'HTTP status of the outcome' }) status: number;
  @ApiProperty({ description: 'Route parameters and the names (never the values) of the fields sent' }) detail: string;
}
