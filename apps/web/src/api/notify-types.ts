/**
 * Notification channels, rules and deliveries as the REST API answers them (docs/notifications.md).
 * The shapes come from the master's OpenAPI document (types.ts, scripts/openapi-names.json).
 */
import type { Rule, RuleEvent } from './types';

export type { Channel, ChannelInput, ChannelType, TestOutcome, RuleEvent, Rule, Delivery, DeliveryStatus } from './types';

export type RuleInput = Partial<Omit<Rule, 'id' | 'createdAt' | 'updatedAt'>>;

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
] as const satisfies readonly RuleEvent['type'][];
