/** Notification channels, rules and deliveries as the REST API answers them (docs/notifications.md). */

export type ChannelType = 'webhook' | 'slack' | 'email';

export type Channel = {
  id: string;
  name: string;
  type: ChannelType;
  projectId: string | null;
  config: Record<string, unknown>;
  hasSecret: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
};

export type ChannelInput = {
  name: string;
  type: ChannelType;
  projectId?: string | null;
  config: Record<string, unknown>;
  secrets?: { secret?: string; password?: string };
};

export type TestOutcome = { ok: boolean; responseCode: number | null; error: string | null; latencyMs: number; deliveryId: string };

export type RuleEvent = { type: string; min?: number; belowMedianPercent?: number; ofLastRuns?: number; count?: number; pattern?: string; seconds?: number };

export type Rule = {
  id: string;
  name: string;
  projectId: string | null;
  spiderIds: string[];
  events: RuleEvent[];
  channelIds: string[];
  enabled: boolean;
  throttle: { windowSeconds: number } | null;
  createdAt: string;
  updatedAt: string;
};

export type RuleInput = Partial<Omit<Rule, 'id' | 'createdAt' | 'updatedAt'>>;

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export type Delivery = {
  id: string;
  eventId: string;
  eventType: string;
  ruleIds: string[];
  channelId: string;
  channelType: ChannelType;
  projectId: string | null;
  spiderId: string | null;
  status: DeliveryStatus;
  attempts: number;
  responseCode: number | null;
  lastError: string | null;
  latencyMs: number | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  eventCount: number;
  summary: string;
};

export type DeliveryQuery = { ruleId?: string; channelId?: string; status?: string; spiderId?: string; limit?: number };

/** Events a rule may listen to; the ones with a condition say which field it needs. */
export const EVENT_TYPES = [
  'task.finished',
  'task.error',
  'task.abnormal',
  'task.cancelled',
  'task.results_below',
  'task.log_errors_above',
  'task.running_longer',
  'task.pending_longer',
  'schedule.missed',
  'node.offline',
  'node.online',
] as const;
