import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CHANNEL_TYPES, CHAT_FORMATS, DELIVERY_STATUSES, EVENT_TYPES, type ChannelType, type ChatFormat, type DeliveryStatus, type EventType } from '@crawlnest/notify';
import { IsObjectId, OptionalField } from './field-validators';
import type { ChannelView, RuleView } from '@crawlnest/notify';

const SECURITY = ['tls', 'starttls', 'none'] as const;

export class ChannelConfigDto {
  @ApiPropertyOptional({ description: 'webhook / slack: the URL POSTed to', maxLength: 2048, example: 'https://hooks.slack.com/services/T000/B000/XXXX' })
  @OptionalField()
  @IsString()
  @MaxLength(2048, { message: 'at most 2048 characters' })
  url?: string;

  @ApiPropertyOptional({ description: 'slack: the incoming-webhook dialect', enum: CHAT_FORMATS, default: 'slack' })
  @OptionalField()
  @IsIn(CHAT_FORMATS, { message: `expected one of ${CHAT_FORMATS.join(', ')}` })
  format?: ChatFormat;

  @ApiPropertyOptional({ description: 'email: SMTP host', maxLength: 255, example: 'smtp.example.com' })
  @OptionalField()
  @IsString()
  @Length(1, 255, { message: 'expected 1..255 characters' })
  host?: string;

  @ApiPropertyOptional({ description: 'email: SMTP port (default 465 with tls, else 587)', minimum: 1, maximum: 65535 })
  @OptionalField()
  @IsInt({ message: 'expected an integer' })
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ description: 'email: tls (TLS from the start), starttls (upgrade required), none (plain: local relays only)', enum: SECURITY, default: 'starttls' })
  @OptionalField()
  @IsIn(SECURITY, { message: `expected one of ${SECURITY.join(', ')}` })
  security?: (typeof SECURITY)[number];

  @ApiPropertyOptional({ description: 'email: SMTP user name (the password goes in secrets)', maxLength: 255 })
  @OptionalField()
  @IsString()
  @MaxLength(255)
  username?: string;

  @ApiPropertyOptional({ description: 'email: sender address', example: 'crawlnest@example.com' })
  @OptionalField()
  @IsString()
  @MaxLength(320)
  from?: string;

  @ApiPropertyOptional({ description: 'email: recipients', type: [String], example: ['oncall@example.com'] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'expected email addresses' })
  to?: string[];

  @ApiPropertyOptional({ description: 'Per-attempt timeout in ms (default CRAWLNEST_NOTIFY_TIMEOUT_MS)', minimum: 100, maximum: 120000 })
  @OptionalField()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}

export class ChannelSecretsDto {
  @ApiPropertyOptional({ description: 'webhook: the HMAC-SHA256 signing secret (never returned; empty string removes it)', maxLength: 1024, writeOnly: true })
  @OptionalField()
  @IsString()
  @MaxLength(1024)
  secret?: string;

  @ApiPropertyOptional({ description: 'email: the SMTP password (never returned; empty string removes it)', maxLength: 1024, writeOnly: true })
  @OptionalField()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

class ChannelFieldsDto {
  @ApiPropertyOptional({ description: 'Project the channel belongs to; null: global (admins)', type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projectId?: string | null;

  @ApiPropertyOptional({ description: 'Secrets, stored encrypted (AES-256-GCM) and never returned', type: ChannelSecretsDto })
  @OptionalField()
  @ValidateNested()
  @Type(() => ChannelSecretsDto)
  secrets?: ChannelSecretsDto;
}

export class CreateChannelDto extends ChannelFieldsDto {
  @ApiProperty({ description: 'Name', maxLength: 200, example: 'ops webhook' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  name: string;

  @ApiProperty({ description: 'webhook: signed JSON POST; slack: chat incoming webhook (Slack, Discord, Teams, Mattermost); email: SMTP', enum: CHANNEL_TYPES })
  @IsDefined({ message: 'required' })
  @IsIn(CHANNEL_TYPES, { message: `expected one of ${CHANNEL_TYPES.join(', ')}` })
  type: ChannelType;

  @ApiProperty({ description: 'Settings of the type', type: ChannelConfigDto })
  @IsDefined({ message: 'required' })
  @ValidateNested()
  @Type(() => ChannelConfigDto)
  config: ChannelConfigDto;
}

export class PatchChannelDto extends ChannelFieldsDto {
  @ApiPropertyOptional({ description: 'Name', maxLength: 200 })
  @OptionalField()
  @IsString()
  @Length(1, 200, { message: 'expected 1..200 characters' })
  name?: string;

  @ApiPropertyOptional({ description: 'Settings to change (merged into the current ones)', type: ChannelConfigDto })
  @OptionalField()
  @ValidateNested()
  @Type(() => ChannelConfigDto)
  config?: ChannelConfigDto;
}

export class ChannelDto implements ChannelView {
  @ApiProperty({ description: 'Id' }) id: string;
  @ApiProperty({ description: 'Name' }) name: string;
  @ApiProperty({ description: 'Type', enum: CHANNEL_TYPES }) type: ChannelType;
  @ApiProperty({ description: 'Project; null: global', type: String, nullable: true }) projectId: string | null;
  @ApiProperty({ description: 'Settings of the type', type: ChannelConfigDto }) config: ChannelConfigDto;
  @ApiProperty({ description: 'A signing secret is set (its value is never returned)' }) hasSecret: boolean;
  @ApiProperty({ description: 'An SMTP password is set (its value is never returned)' }) hasPassword: boolean;
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ description: 'ISO-8601 time of the last change' }) updatedAt: string;
}

export class ChannelTestResultDto {
  @ApiProperty({ description: 'The receiver accepted the test message' }) ok: boolean;
  @ApiProperty({ description: 'HTTP status or SMTP reply code', type: Number, nullable: true }) responseCode: number | null;
  @ApiProperty({ description: 'Why it failed; null when it worked', type: String, nullable: true }) error: string | null;
  @ApiProperty({ description: 'Duration of the attempt in ms' }) latencyMs: number;
  @ApiProperty({ description: 'Recorded in the deliveries history under this id' }) deliveryId: string;
}

export class RuleEventDto {
  @ApiProperty({ description: 'Event type', enum: EVENT_TYPES })
  @IsDefined({ message: 'required' })
  @IsIn(EVENT_TYPES, { message: `expected one of ${EVENT_TYPES.join(', ')}` })
  type: EventType;

  @ApiPropertyOptional({ description: 'task.results_below: fewer items than this', minimum: 0 })
  @OptionalField()
  @IsInt()
  @Min(0)
  min?: number;

  @ApiPropertyOptional({ description: 'task.results_below: under this % of the median of the last `ofLastRuns` finished runs', minimum: 0, maximum: 100 })
  @OptionalField()
  @IsNumber()
  @Min(0)
  @Max(100)
  belowMedianPercent?: number;

  @ApiPropertyOptional({ description: 'task.results_below: runs the median is taken over', minimum: 1, maximum: 100, default: 5 })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(100)
  ofLastRuns?: number;

  @ApiPropertyOptional({ description: 'task.log_errors_above: more counted lines than this', minimum: 0 })
  @OptionalField()
  @IsInt()
  @Min(0)
  count?: number;

  @ApiPropertyOptional({ description: 'task.log_errors_above: a regular expression; unset, stderr lines count', maxLength: 500 })
  @OptionalField()
  @IsString()
  @MaxLength(500)
  pattern?: string;

  @ApiPropertyOptional({ description: 'task.running_longer / task.pending_longer: the threshold', minimum: 1, maximum: 30 * 86400 })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(30 * 86400)
  seconds?: number;
}

export class ThrottleDto {
  @ApiProperty({ description: 'At most one message per this many seconds per channel: events meanwhile go in one digest', minimum: 10, maximum: 86400, example: 600 })
  @IsDefined({ message: 'required' })
  @IsInt()
  @Min(10)
  @Max(86400)
  windowSeconds: number;
}

class RuleFieldsDto {
  @ApiPropertyOptional({ description: 'Project; null: global (admins; the only scope for node events)', type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  projectId?: string | null;

  @ApiPropertyOptional({ description: 'Only these spiders; empty: every spider', type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsObjectId({ each: true })
  spiderIds?: string[];

  @ApiPropertyOptional({ description: 'A disabled rule sends nothing', default: true })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Digest instead of one message per event; null: off', type: ThrottleDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ThrottleDto)
  throttle?: ThrottleDto | null;
}

export class CreateRuleDto extends RuleFieldsDto {
  @ApiProperty({ description: 'Name', maxLength: 200, example: 'shop failures' })
  @IsDefined({ message: 'required' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ description: 'Events the rule listens to, with their conditions', type: [RuleEventDto] })
  @IsDefined({ message: 'required' })
  @IsArray()
  @ArrayMinSize(1, { message: 'at least one event' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RuleEventDto)
  events: RuleEventDto[];

  @ApiProperty({ description: 'Channels its messages go to', type: [String] })
  @IsDefined({ message: 'required' })
  @IsArray()
  @ArrayMinSize(1, { message: 'at least one channel' })
  @ArrayMaxSize(50)
  @IsObjectId({ each: true })
  channelIds: string[];
}

export class PatchRuleDto extends RuleFieldsDto {
  @ApiPropertyOptional({ description: 'Name', maxLength: 200 })
  @OptionalField()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'Events the rule listens to, with their conditions', type: [RuleEventDto] })
  @OptionalField()
  @IsArray()
  @ArrayMinSize(1, { message: 'at least one event' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RuleEventDto)
  events?: RuleEventDto[];

  @ApiPropertyOptional({ description: 'Channels its messages go to', type: [String] })
  @OptionalField()
  @IsArray()
  @ArrayMinSize(1, { message: 'at least one channel' })
  @IsObjectId({ each: true })
  channelIds?: string[];
}

export class RuleDto implements RuleView {
  @ApiProperty({ description: 'Id' }) id: string;
  @ApiProperty({ description: 'Name' }) name: string;
  @ApiProperty({ description: 'Project; null: global', type: String, nullable: true }) projectId: string | null;
  @ApiProperty({ description: 'Only these spiders; empty: every spider', type: [String] }) spiderIds: string[];
  @ApiProperty({ description: 'Events the rule listens to, with their conditions', type: [RuleEventDto] }) events: RuleEventDto[];
  @ApiProperty({ description: 'Channels its messages go to', type: [String] }) channelIds: string[];
  @ApiProperty({ description: 'A disabled rule sends nothing' }) enabled: boolean;
  @ApiProperty({ description: 'Digest window; null: one message per event', type: ThrottleDto, nullable: true }) throttle: ThrottleDto | null;
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ description: 'ISO-8601 time of the last change' }) updatedAt: string;
}

export class ListRulesQueryDto {
  @ApiPropertyOptional({ description: 'Rules of this project' })
  @OptionalField()
  @IsString()
  projectId?: string;

  @ApiPropertyOptional({ description: 'Rules that cover this spider' })
  @OptionalField()
  @IsObjectId()
  spiderId?: string;
}

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ description: 'Deliveries of this rule' }) @OptionalField() @IsObjectId() ruleId?: string;
  @ApiPropertyOptional({ description: 'Channel the delivery goes to' }) @OptionalField() @IsObjectId() channelId?: string;
  @ApiPropertyOptional({ description: 'Deliveries of events of this spider' }) @OptionalField() @IsObjectId() spiderId?: string;
  @ApiPropertyOptional({ description: 'pending (waiting for an attempt), sent, failed (given up)', enum: DELIVERY_STATUSES })
  @OptionalField()
  @IsIn(DELIVERY_STATUSES, { message: `expected one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;
  @ApiPropertyOptional({ description: 'ISO-8601: only deliveries created after this time' })
  @OptionalField()
  @IsISO8601({}, { message: 'expected an ISO-8601 time' })
  after?: string;
  @ApiPropertyOptional({ description: 'At most this many, newest first', minimum: 1, maximum: 1000, default: 100 })
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DeliveryDto {
  @ApiProperty({ description: 'Delivery id, sent as X-Crawlnest-Delivery (the same on every attempt)' }) id: string;
  @ApiProperty({ description: 'The event (or digest) delivered' }) eventId: string;
  @ApiProperty({ description: 'Event type, or digest / test' }) eventType: string;
  @ApiProperty({ description: 'Rules that raised it', type: [String] }) ruleIds: string[];
  @ApiProperty({ description: 'Channel the delivery goes to' }) channelId: string;
  @ApiProperty({ description: 'Type of the channel', enum: CHANNEL_TYPES }) channelType: ChannelType;
  @ApiProperty({ description: 'Project; null: global', type: String, nullable: true }) projectId: string | null;
  @ApiProperty({ description: 'Spider of the event; null for node events and digests', type: String, nullable: true }) spiderId: string | null;
  @ApiProperty({ description: 'pending (waiting for an attempt), sent, failed (given up)', enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ description: 'Attempts made' }) attempts: number;
  @ApiPropertyOptional({ description: 'Attempts allowed' }) maxAttempts?: number;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status or SMTP reply code of the last attempt' }) responseCode: number | null;
  @ApiProperty({ description: 'Error of the last attempt', type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Duration of the last attempt' }) latencyMs: number | null;
  @ApiProperty({ description: 'ISO-8601 creation time' }) createdAt: string;
  @ApiProperty({ description: 'ISO-8601 time of the next attempt (pending only)', type: String, nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ description: 'ISO-8601 time the receiver accepted it', type: String, nullable: true }) sentAt: string | null;
  @ApiProperty({ description: 'Events it carries (a digest: many)' }) eventCount: number;
  @ApiProperty({ description: 'One line saying what it is about' }) summary: string;
}
