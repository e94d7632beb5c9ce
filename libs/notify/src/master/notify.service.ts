import { Inject, Injectable } from '@nestjs/common';
import { BadInputError, NotFoundError, SecretBox } from '@crawlnest/node';
import type { ChannelConfig, ChannelRecord, ChannelSecrets, ChannelType, ChannelView, DeliveryRecord, DeliveryStatus, DeliveryView, RuleEvent, RuleRecord, RuleView } from '../notify.types';
import { messageTitle } from '../message-format';
import type { SendOutcome } from './channel-sender';
import { NotifyConfigRepository } from './config.repository';
import { DeliveryRepository } from './delivery.repository';
import { NotifyConfigCache } from './notify-config.cache';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';
import { NotifierService } from './notifier.service';
import { EventFactsService } from './event-facts.service';

export type ChannelInput = { name: string; type: ChannelType; projectId?: string | null; config: ChannelConfig; secrets?: ChannelSecrets };
export type ChannelPatch = Partial<Omit<ChannelInput, 'type'>>;
export type RuleInput = { name: string; projectId?: string | null; spiderIds?: string[]; events: RuleEvent[]; channelIds: string[]; enabled?: boolean; throttle?: { windowSeconds: number } | null };
export type RulePatch = Partial<RuleInput>;
export type DeliveryQuery = { ruleId?: string; channelId?: string; status?: DeliveryStatus; after?: Date; spiderId?: string; limit: number; projectIds?: ReadonlySet<string> | null };
/** What a caller may see: null, everything (admins); otherwise these projects only (global channels and rules are the admins'). */
export type Visible = ReadonlySet<string> | null;
export type TestOutcome = { ok: boolean; responseCode: number | null; error: string | null; latencyMs: number; deliveryId: string };

/** What the REST API does with channels, rules and deliveries. */
@Injectable()
export class NotifyService {
  private readonly box: SecretBox;

  constructor(
    private readonly repo: NotifyConfigRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly cache: NotifyConfigCache,
    private readonly notifier: NotifierService,
    private readonly facts: EventFactsService,
    @Inject(NOTIFY_MASTER_OPTIONS) opts: NotifyMasterOptions,
  ) {
    this.box = new SecretBox(opts.secretsKey);
  }

  async createChannel(input: ChannelInput): Promise<ChannelView> {
    checkChannel(input.type, input.config);
    const now = new Date();
    const c = await this.repo.insertChannel({
      name: input.name,
      type: input.type,
      projectId: input.projectId ?? null,
      config: input.config,
      secrets: this.seal(input.secrets ?? {}),
      createdAt: now,
      updatedAt: now,
    });
    await this.cache.changed();
    return this.channelView(c);
  }

  async listChannels(projectId?: string, visible: Visible = null): Promise<ChannelView[]> {
    const all = await this.repo.allChannels();
    return all
      .filter((c) => projectId === undefined || c.projectId === projectId)
      .filter((c) => visible === null || (c.projectId !== null && visible.has(c.projectId)))
      .map((c) => this.channelView(c));
  }

  /** The project of a channel, rule or delivery, for the access check: null when it is global or does not exist. */
  async projectOf(kind: 'channel' | 'rule' | 'delivery', id: string): Promise<string | null> {
    if (kind === 'channel') return (await this.repo.channel(id))?.projectId ?? null;
    if (kind === 'rule') return (await this.repo.rule(id))?.projectId ?? null;
    return this.deliveries.projectOf(id);
  }

  async getChannel(id: string): Promise<ChannelView> {
    return this.channelView(await this.requireChannel(id));
  }

  async patchChannel(id: string, patch: ChannelPatch): Promise<ChannelView> {
    const c = await this.requireChannel(id);
    const config = patch.config ? { ...c.config, ...patch.config } : c.config;
    checkChannel(c.type, config);
    // Secrets given are merged (an empty string removes one); those not given stay as they are.
    const secrets = patch.secrets ? this.seal(dropEmpty({ ...this.open(c.secrets), ...patch.secrets })) : c.secrets;
    const set: Partial<ChannelRecord> = { config, secrets, updatedAt: new Date() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.projectId !== undefined && patch.projectId !== c.projectId) {
      const users = (await this.repo.allRules()).filter((r) => r.channelIds.includes(id) && r.projectId !== null && r.projectId !== patch.projectId);
      if (users.length) throw new BadInputError(`channel ${id} is used by rule(s) of its project (${users.map((r) => r.name).join(', ')}): it cannot move`);
      set.projectId = patch.projectId;
    }
    await this.repo.updateChannel(id, set);
    await this.cache.changed();
    return this.channelView({ ...c, ...set });
  }

  async deleteChannel(id: string): Promise<void> {
    const used = (await this.repo.allRules()).filter((r) => r.channelIds.includes(id));
    if (used.length) throw new BadInputError(`channel ${id} is used by rule(s) ${used.map((r) => r.name).join(', ')}: remove it from them first`);
    if (!(await this.repo.deleteChannel(id))) throw new NotFoundError('channel', id);
    await this.cache.changed();
  }

  /** Sends a test message now and answers with the outcome (recorded in the history too). */
  async testChannel(id: string): Promise<TestOutcome> {
    const c = await this.requireChannel(id);
    const deliveryId = `test:${id}:${Date.now()}`;
    const o: SendOutcome = await this.notifier.send(c, { deliveryId, kind: 'test', events: [] }, 'test');
    const now = new Date();
    await this.deliveries.create({
      _id: deliveryId,
      eventId: deliveryId,
      eventType: 'test',
      ruleIds: [],
      channelId: id,
      channelType: c.type,
      projectId: c.projectId,
      spiderId: null,
      status: o.ok ? 'sent' : 'failed',
      attempts: 1,
      responseCode: o.responseCode,
      lastError: o.error,
      latencyMs: o.latencyMs,
      createdAt: now,
      nextAttemptAt: now,
      sentAt: o.ok ? now : null,
      events: [],
    });
    return { ok: o.ok, responseCode: o.responseCode, error: o.error, latencyMs: o.latencyMs, deliveryId };
  }

  async createRule(input: RuleInput): Promise<RuleView> {
    await this.checkRule(input.events, input.channelIds, input.projectId ?? null, input.spiderIds ?? []);
    const now = new Date();
    const r = await this.repo.insertRule({
      name: input.name,
      projectId: input.projectId ?? null,
      spiderIds: input.spiderIds ?? [],
      events: input.events,
      channelIds: input.channelIds,
      enabled: input.enabled ?? true,
      throttle: input.throttle ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await this.cache.changed();
    return ruleView(r);
  }

  async listRules(f: { projectId?: string; spiderId?: string } = {}, visible: Visible = null): Promise<RuleView[]> {
    const all = await this.repo.allRules();
    return all
      .filter((r) => f.projectId === undefined || r.projectId === f.projectId)
      .filter((r) => visible === null || (r.projectId !== null && visible.has(r.projectId)))
      .filter((r) => f.spiderId === undefined || r.spiderIds.length === 0 || r.spiderIds.includes(f.spiderId))
      .map(ruleView);
  }

  async getRule(id: string): Promise<RuleView> {
    return ruleView(await this.requireRule(id));
  }

  async patchRule(id: string, patch: RulePatch): Promise<RuleView> {
    const r = await this.requireRule(id);
    const next: RuleRecord = {
      ...r,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      updatedAt: new Date(),
    } as RuleRecord;
    if (patch.throttle === null) next.throttle = null;
    await this.checkRule(next.events, next.channelIds, next.projectId ?? null, next.spiderIds ?? []);
    const { _id, ...set } = next;
    await this.repo.updateRule(id, set);
    await this.cache.changed();
    return ruleView(next);
  }

  async deleteRule(id: string): Promise<void> {
    if (!(await this.repo.deleteRule(id))) throw new NotFoundError('rule', id);
    await this.cache.changed();
  }

  async listDeliveries(q: DeliveryQuery): Promise<DeliveryView[]> {
    return (await this.deliveries.list(q, q.limit)).map(deliveryView);
  }

  /** Sends a settled (or waiting) delivery again, same delivery id, with a fresh set of attempts. */
  async retryDelivery(id: string): Promise<DeliveryView> {
    const d = await this.deliveries.get(id);
    if (!d) throw new NotFoundError('delivery', id);
    if (d.eventType === 'test') throw new BadInputError('a test delivery is not retried: test the channel again');
    const now = new Date();
    // The events go back on the record itself: a record stored slim no longer depends on the one holding them, which retention may drop.
    const set: Partial<DeliveryRecord> = { status: 'pending', nextAttemptAt: now, maxAttempts: d.attempts + (d.maxAttempts ?? 1), ...(d.events.length ? { events: d.events } : {}) };
    await this.deliveries.update(id, set);
    await this.deliveries.markDue(id, now);
    this.notifier.kick();
    return deliveryView({ ...d, ...set });
  }

  /** A project's rule listens to its own spiders only and sends to its own channels (or global ones an admin named); node events are for global rules. */
  private async checkRule(events: RuleEvent[], channelIds: string[], projectId: string | null, spiderIds: string[]): Promise<void> {
    for (const e of events) {
      if (projectId !== null && e.type.startsWith('node.')) throw new BadInputError(`${e.type}: node events need a global rule (projectId null, admins only)`);
      if (e.type === 'task.results_below' && e.min === undefined && e.belowMedianPercent === undefined) throw new BadInputError('task.results_below needs min or belowMedianPercent');
      if (e.type === 'task.log_errors_above' && e.count === undefined) throw new BadInputError('task.log_errors_above needs count');
      if ((e.type === 'task.running_longer' || e.type === 'task.pending_longer') && !e.seconds) throw new BadInputError(`${e.type} needs seconds`);
      if (e.pattern !== undefined) {
        try {
          new RegExp(e.pattern);
        } catch (err) {
          throw new BadInputError(`pattern is not a regular expression: ${(err as Error).message}`);
        }
      }
    }
    for (const id of channelIds) {
      const c = await this.repo.channel(id);
      if (!c) throw new BadInputError(`channel ${id} does not exist`);
      if (projectId !== null && c.projectId !== null && c.projectId !== projectId) throw new BadInputError(`channel ${id} belongs to another project`);
    }
    if (projectId !== null) {
      for (const id of spiderIds) {
        const s = await this.facts.spider(id);
        if (s.projectId !== projectId) throw new BadInputError(`spider ${id} is not in project ${projectId}`);
      }
    }
  }

  private async requireChannel(id: string): Promise<ChannelRecord> {
    const c = await this.repo.channel(id);
    if (!c) throw new NotFoundError('channel', id);
    return c;
  }

  private async requireRule(id: string): Promise<RuleRecord> {
    const r = await this.repo.rule(id);
    if (!r) throw new NotFoundError('rule', id);
    return r;
  }

  private seal(s: ChannelSecrets): string | null {
    const clean = dropEmpty(s);
    return Object.keys(clean).length ? this.box.seal(JSON.stringify(clean)) : null;
  }

  private open(sealed: string | null): ChannelSecrets {
    return sealed ? (JSON.parse(this.box.open(sealed)) as ChannelSecrets) : {};
  }

  private channelView(c: ChannelRecord): ChannelView {
    const s = c.secrets ? this.open(c.secrets) : {};
    return {
      id: String(c._id),
      name: c.name,
      type: c.type,
      projectId: c.projectId,
      config: c.config,
      hasSecret: Boolean(s.secret),
      hasPassword: Boolean(s.password),
      createdAt: new Date(c.createdAt).toISOString(),
      updatedAt: new Date(c.updatedAt).toISOString(),
    };
  }
}

function dropEmpty(s: ChannelSecrets): ChannelSecrets {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== '')) as ChannelSecrets;
}

function checkChannel(type: ChannelType, c: ChannelConfig): void {
  if (type === 'webhook' || type === 'slack') {
    if (!c.url || !/^https?:\/\//.test(c.url)) throw new BadInputError(`a ${type} channel needs config.url (http or https)`);
  } else {
    if (!c.host) throw new BadInputError('an email channel needs config.host');
    if (!c.from) throw new BadInputError('an email channel needs config.from');
    if (!c.to || c.to.length === 0) throw new BadInputError('an email channel needs config.to (one address or more)');
  }
}

function ruleView(r: RuleRecord): RuleView {
  return {
    id: String(r._id),
    name: r.name,
    projectId: r.projectId,
    spiderIds: r.spiderIds,
    events: r.events,
    channelIds: r.channelIds,
    enabled: r.enabled,
    throttle: r.throttle,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

function deliveryView(d: DeliveryRecord): DeliveryView {
  const { _id, createdAt, nextAttemptAt, sentAt, events, eventsIn: _storage, ...rest } = d;
  return {
    ...rest,
    id: _id,
    createdAt: new Date(createdAt).toISOString(),
    nextAttemptAt: d.status === 'pending' ? new Date(nextAttemptAt).toISOString() : null,
    sentAt: sentAt ? new Date(sentAt).toISOString() : null,
    eventCount: events?.length ?? 0,
    summary: events?.length ? messageTitle({ deliveryId: _id, kind: d.eventType === 'digest' ? 'digest' : 'event', events }) : d.eventType,
  };
}
