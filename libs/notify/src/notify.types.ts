import type { Types } from 'mongoose';

export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** Incoming-webhook dialects of the `slack` channel type: each gets the same message in its own JSON shape. */
export const CHAT_FORMATS = ['slack', 'discord', 'teams', 'mattermost'] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

export const EVENT_TYPES = [
  'task.finished',
  'task.error',
  'task.abnormal',
  'task.cancelled',
  'task.results_below',
  'task.log_errors_above',
  'task.running_longer',
  'task.pending_longer',
  'node.offline',
  'node.online',
  'schedule.missed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Public settings of a channel (returned by the API). Secrets live apart, encrypted. */
export type ChannelConfig = {
  url?: string;
  format?: ChatFormat;
  host?: string;
  port?: number;
  /** `tls`: TLS from the first byte (465); `starttls`: upgrade required; `none`: plain (tests, local relays). */
  security?: 'tls' | 'starttls' | 'none';
  username?: string;
  from?: string;
  to?: string[];
  /** Per-attempt timeout. */
  timeoutMs?: number;
};

/** What the API accepts as secret: a webhook's signing secret, an SMTP password. */
export type ChannelSecrets = { secret?: string; password?: string };

export type ChannelRecord = {
  _id: Types.ObjectId;
  name: string;
  type: ChannelType;
  projectId: string | null;
  config: ChannelConfig;
  /** AES-256-GCM box of ChannelSecrets as JSON (secret-box.ts); null when none. */
  secrets: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type ChannelView = {
  id: string;
  name: string;
  type: ChannelType;
  projectId: string | null;
  config: ChannelConfig;
  /** Which secrets are set; their values are never returned. */
  hasSecret: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
};

/** One event a rule listens to, with its condition where it has one. */
export type RuleEvent = {
  type: EventType;
  /** results_below: fewer items than this. */
  min?: number;
  /** results_below: under this % of the median of the spider's last `ofLastRuns` finished runs. */
  belowMedianPercent?: number;
  ofLastRuns?: number;
  /** log_errors_above: more matching lines than this. */
  count?: number;
  /** log_errors_above: a regular expression; unset, every stderr line counts. */
  pattern?: string;
  /** running_longer / pending_longer. */
  seconds?: number;
};

export type RuleRecord = {
  _id: Types.ObjectId;
  name: string;
  projectId: string | null;
  /** Empty: every spider (of the project). */
  spiderIds: string[];
  events: RuleEvent[];
  channelIds: string[];
  enabled: boolean;
  /** At most one message per window per channel: what arrives meanwhile goes in one digest. */
  throttle: { windowSeconds: number } | null;
  createdAt: Date;
  updatedAt: Date;
};

export type RuleView = Omit<RuleRecord, '_id' | 'createdAt' | 'updatedAt'> & { id: string; createdAt: string; updatedAt: string };

/** The facts of one event: what a message says and a webhook posts. */
export type NotifyEvent = {
  id: string;
  type: EventType;
  at: string;
  projectId: string | null;
  task?: {
    id: string;
    attempt: number;
    status: string;
    spiderId: string;
    spiderName: string | null;
    nodeId: string | null;
    nodeName: string | null;
    exitCode: number | null;
    error: string | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
    resultCount: number;
    resultErrors: number;
    pendingReason?: string | null;
    scheduleId: string | null;
  };
  node?: { id: string; name: string; status: string; at: string };
  schedule?: { id: string; spiderId: string | null; spiderName: string | null; tick: string; error: string };
  /** Why a monitor fired: the threshold and the measured value. */
  condition?: Record<string, number | string>;
  /** Last lines of the log, for failures. */
  logTail?: string[];
  links: { task?: string; spider?: string; node?: string; deliveries?: string };
};

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type DeliveryRecord = {
  /** `<eventId>:<channelId>` (or `digest:<ruleId>:<channelId>:<windowStart>`): sent as X-Crawlnest-Delivery. */
  _id: string;
  eventId: string;
  eventType: EventType | 'digest' | 'test';
  ruleIds: string[];
  channelId: string;
  channelType: ChannelType;
  projectId: string | null;
  spiderId: string | null;
  status: DeliveryStatus;
  attempts: number;
  /** Attempts allowed (raised by a manual retry). */
  maxAttempts?: number;
  responseCode: number | null;
  lastError: string | null;
  latencyMs: number | null;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt: Date | null;
  /** What is sent: the event, or a digest's events. Empty on a stored record that names `eventsIn`. */
  events: NotifyEvent[];
  /**
   * Storage only (never in the API): the record that holds this one's event, written in the
   * same batch (another channel's delivery of the same event). Read back by `_id`.
   */
  eventsIn?: string;
};

export type DeliveryView = Omit<DeliveryRecord, '_id' | 'createdAt' | 'nextAttemptAt' | 'sentAt' | 'events' | 'eventsIn'> & {
  id: string;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  eventCount: number;
  summary: string;
};
