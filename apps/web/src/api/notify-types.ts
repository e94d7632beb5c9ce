/**
 * Notification channels, rules and deliveries as the REST API answers them (docs/notifications.md).
 * The shapes come from the master's OpenAPI document (types.ts, scripts/openapi-names.json).
 */
import { ruleEventDtoTypeValues, type Rule } from './types';

export type { Channel, ChannelInput, ChannelType, TestOutcome, RuleEvent, Rule, Delivery, DeliveryStatus } from './types';

export type RuleInput = Partial<Omit<Rule, 'id' | 'createdAt' | 'updatedAt'>>;

export type DeliveryQuery = { ruleId?: string; channelId?: string; status?: string; spiderId?: string; limit?: number };

/** Events a rule may listen to, in the server's order (its enum, from the OpenAPI document). */
export const EVENT_TYPES = ruleEventDtoTypeValues;
