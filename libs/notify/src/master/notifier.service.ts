import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SecretBox } from '@crawlnest/node';
import type { ChannelRecord, DeliveryRecord, EventType, NotifyEvent, RuleEvent, RuleRecord } from '../notify.types';
import { conditionKey, countErrorLines, resultsBelow, ruleCovers, statusEvent } from '../rule-match';
import { nextAttemptDelayMs } from '../retry-plan';
import type { Message } from '../message-format';
import { ChannelSender, SendOutcome } from './channel-sender';
import { DeliveryRepository } from './delivery.repository';
import { EventFactsService, LogFacts, TaskFacts } from './event-facts.service';
import { NotifyConfigCache } from './notify-config.cache';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';
import { NotifyMetrics } from './notify.metrics';
import { OutboxFact, OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { WriteBatcher } from './write-batcher';

/** A digest is sent this long after its window closes: events fanned out at the window's end still make it in. */
const DIGEST_GRACE_MS = 2000;
const FACTS_PER_PASS = 100;
const FANOUT_CONCURRENCY = 8;
/** A replica that claimed a fact and died leaves it to the others this long (plus a send's timeout) after its claim. */
const FANOUT_LEASE_MS = 30_000;
const DUE_PER_PASS = 100;
const MAX_ACTIVE_FACTS = 32;
/**
 * A fan-out pass starts at least this long after the previous one ended: facts of a burst of
 * closes share one claim insert, one counts read, one history insert and one outbox delete
 * (each a turn of the write lock task dispatch waits for on FerretDB/SQLite). A fact after a
 * quiet spell goes at once.
 */
const FANOUT_GATHER_MS = 150;
/**
 * Settled first attempts and fanned-out facts are written at most this long after they
 * happen, many in one insertMany / one bulk delete. Only the history lags by it: the sends are made
 * before. A master killed within it resends those deliveries after its lease (same delivery id).
 * 1000 rather than 250 ms: with ten rules, 300 closes in a burst went from 0.84× to 0.89× of the
 * dispatch throughput without rules (sends left out, to see the writes alone), each history
 * insert and outbox delete a turn of FerretDB/SQLite's one write lock.
 */
const WRITE_BATCH_MS = 1000;
/**
 * The outbox is read whole at most this often (or every pollMs, if longer). Every fact is handed
 * in memory to the notifier of the replica that recorded it, so the read is only the fallback:
 * facts a dead replica left (taken over after their lease anyway), facts left for lack of room,
 * and facts of a pass that failed (those set a read for the next pass at once). It decodes every
 * fact in flight, which is many while a receiver hangs: at every poll (250 ms) it cost the
 * database more than the facts it ever found.
 */
const OUTBOX_SCAN_MS = 2000;

type Fired = { event: NotifyEvent; rule: RuleRecord };

/**
 * Turns outbox facts into deliveries and sends them, on every replica, off the dispatch path.
 * Exactly one delivery per event and channel, with few writes (on FerretDB/SQLite every write
 * waits for the one write lock task dispatch also needs):
 * - a fact is taken by whoever inserts its claim `fanout:<factId>:0`; that replica matches the
 *   rules in memory, makes every first attempt at once and records the deliveries with their
 *   outcomes in batches (one insertMany for many), then drops the fact (one deleteMany for many).
 *   About two writes per fact however many channels it goes to.
 * - a replica that died holding a fact leaves a claim older than a send's timeout + 30 s: the
 *   next takeover number (`fanout:<factId>:1`, …) goes the careful way, one delivery record per
 *   event and channel (`_id` `<eventId>:<channelId>`: a replayed fan-out inserts nothing) on the
 *   due list, sent like a retry. Same delivery id, so a receiver can deduplicate the rare resend.
 * - retries: each later attempt is made by whoever inserts its claim `<deliveryId>:<attempt>:<k>`;
 *   a claim whose holder died mid-send is taken over by the next `k`.
 */
/**
 * A test hook (like libs/task's crash points): while the file named by
 * CRAWLNEST_TEST_NOTIFY_HOLD_FILE exists the outbox is left alone, so a suite can kill the
 * master between an event and its delivery.
 */
function testHold(): boolean {
  const hold = process.env.CRAWLNEST_TEST_NOTIFY_HOLD_FILE;
  return hold !== undefined && hold !== '' && existsSync(hold);
}

@Injectable()
export class NotifierService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(NotifierService.name);
  private readonly box: SecretBox;
  private looping: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  /** A send pass (and an outbox read) is due: kick() asked for one (the poll's own pace is kept by the loop). */
  private sendKicked = true;
  private stopped = false;
  private fanningOut: Promise<void> | null = null;
  private kicks = 0;
  private backlog = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Facts this replica holds (claimed, first attempts not all recorded yet), with their completion. */
  private readonly activeFacts = new Map<string, Promise<void>>();
  /**
   * Those of them whose first attempts are not all made yet: what MAX_ACTIVE_FACTS bounds. A
   * fact whose sends are done waits up to WRITE_BATCH_MS twice more (its records, then its
   * outbox delete); counting that wait took the room of new facts at 30 closes a second, and
   * their events waited for the next batch write (p99 event → delivery 1.2 s, measured).
   */
  private readonly sendingFacts = new Set<string>();
  /** Facts whose claim another replica holds, and since when we know: not asked again before its lease ends. */
  private readonly heldElsewhere = new Map<string, number>();
  /** Facts this replica recorded and was handed in memory, not taken by a fan-out pass yet: they need no outbox read. */
  private readonly localFacts = new Map<string, OutboxFact>();
  /** The next fan-out pass reads the outbox: set by a poll at most every OUTBOX_SCAN_MS (kept until a pass runs), by a scan that left facts for lack of room, or by a failed pass. */
  private scanDue = true;
  private lastScan = 0;
  private lastFanOutEnd = 0;
  private readonly openedSecrets = new Map<string, { secret?: string; password?: string }>();
  private readonly history: WriteBatcher<DeliveryRecord>;
  private readonly factsDone: WriteBatcher<string>;
  private readonly slots: Semaphore;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly config: NotifyConfigCache,
    private readonly facts: EventFactsService,
    private readonly sender: ChannelSender,
    private readonly metrics: NotifyMetrics,
    @Inject(NOTIFY_MASTER_OPTIONS) private readonly opts: NotifyMasterOptions,
    signal: OutboxSignal,
  ) {
    this.box = new SecretBox(opts.secretsKey);
    this.history = new WriteBatcher('notify deliveries', (ds) => this.deliveries.recordMany(ds), WRITE_BATCH_MS);
    this.factsDone = new WriteBatcher('notify outbox', (ids) => this.outbox.doneMany(ids), WRITE_BATCH_MS);
    this.slots = new Semaphore(opts.concurrency);
    signal.listen((fact) => {
      if (fact) this.localFacts.set(fact._id, fact);
      this.kickFanOut();
    });
  }

  onApplicationBootstrap(): void {
    this.looping = this.loop();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.looping;
    await Promise.allSettled([this.fanningOut, ...this.inFlight.values(), ...this.activeFacts.values()]);
    await Promise.allSettled([this.history.flush(), this.factsDone.flush()]);
  }

  /** Wakes the loop now for a send pass too (a retry was asked for, a takeover put deliveries on the due list). */
  kick(): void {
    this.sendKicked = true;
    this.kickFanOut();
  }

  /** Wakes the loop for a fan-out only (a fact was just recorded on this replica): the due list is not read for it. */
  private kickFanOut(): void {
    this.kicks++;
    this.kicked = true;
    this.wake?.();
  }

  /**
   * One loop per replica: a pass, then a wait until the next poll unless kicked meanwhile. The
   * poll keeps its pace under a stream of kicks (closes on this replica): facts of the monitors
   * and of other replicas, and the retries on the due list, are read every pollMs whatever.
   */
  private async loop(): Promise<void> {
    let lastPoll = 0;
    while (!this.stopped) {
      this.kicked = false;
      if (Date.now() - lastPoll >= this.opts.pollMs) this.sendKicked = true;
      const sends = this.sendKicked;
      this.sendKicked = false;
      if (sends) lastPoll = Date.now();
      await this.pass(sends);
      if (this.kicked || this.stopped) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, lastPoll + this.opts.pollMs - Date.now()));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async pass(sends: boolean): Promise<void> {
    if (sends && Date.now() - this.lastScan >= Math.max(this.opts.pollMs, OUTBOX_SCAN_MS)) this.scanDue = true;
    if (!this.fanningOut && !testHold()) {
      const kicks = this.kicks;
      // A poll (or an explicit kick) reads the outbox; a fact handed in memory does not need it.
      const scan = this.scanDue;
      this.scanDue = false;
      this.fanningOut = this.gathered()
        .then(() => this.fanOutPass(scan))
        .catch((err: unknown) => {
          // Facts handed for this pass are in the outbox only now: the next pass reads it.
          this.scanDue = true;
          this.log.warn({ msg: 'notification fan-out pass failed', err: String(err) });
        })
        .finally(() => {
          this.fanningOut = null;
          this.lastFanOutEnd = Date.now();
          // A fact recorded while this pass ran is taken now, not at the next poll.
          if (this.kicks !== kicks) this.kickFanOut();
        });
    }
    if (sends) await this.sendPass().catch((err: unknown) => this.log.warn({ msg: 'notification send pass failed', err: String(err) }));
  }

  // ---- fan-out: facts -> deliveries

  /** Waits out the rest of the gather time since the previous pass (facts handed meanwhile join this one). */
  private async gathered(): Promise<void> {
    const wait = this.lastFanOutEnd + FANOUT_GATHER_MS - Date.now();
    if (wait > 0 && !this.stopped) await new Promise((r) => setTimeout(r, wait));
  }

  private async fanOutPass(scan: boolean): Promise<void> {
    // Checked again after the gather wait: a hold set meanwhile leaves the facts where they are.
    if (testHold()) {
      this.scanDue ||= scan;
      return;
    }
    const handed = [...this.localFacts.values()];
    this.localFacts.clear();
    if (scan) this.lastScan = Date.now();
    const scanned = scan ? await this.outbox.pending(FACTS_PER_PASS) : [];
    const byId = new Map<string, OutboxFact>(handed.map((f) => [f._id, f]));
    for (const f of scanned) if (!byId.has(f._id)) byId.set(f._id, f);
    const facts = [...byId.values()];
    // The lag is known when the outbox was read (handed facts alone would hide an old one left there).
    if (scan) this.metrics.outboxLag.set((Date.now() - facts.reduce((m, f) => Math.min(m, new Date(f.at).getTime()), Date.now())) / 1000);
    const now = Date.now();
    for (const [id, since] of this.heldElsewhere) if (now - since > this.leaseMs()) this.heldElsewhere.delete(id);
    // Replicas take facts in their own random order, so two rarely race for the same claim.
    // A replica holds at most MAX_ACTIVE_FACTS: their sends start well within the claim's lease,
    // and what is beyond is left to the other replicas.
    const room = MAX_ACTIVE_FACTS - this.sendingFacts.size;
    const open = shuffle(facts.filter((f) => !this.activeFacts.has(f._id) && !this.heldElsewhere.has(f._id)));
    const candidates = open.slice(0, Math.max(0, room));
    // Facts left for lack of room: the next fact this replica finishes wakes the fan-out again.
    // Handed ones wait in memory again; scanned ones are read again then.
    const left = open.slice(candidates.length);
    for (const f of left) if (handed.some((h) => h._id === f._id)) this.localFacts.set(f._id, f);
    if (left.some((f) => !this.localFacts.has(f._id))) this.scanDue = true;
    this.backlog = left.length > 0;
    if (candidates.length === 0) return;
    // The first claims of the whole pass in one write; a fact whose first claim exists goes the careful way.
    const won = await this.deliveries.tryClaimMany(
      candidates.map((f) => `fanout:${f._id}:0`),
      this.opts.replicaId,
    );
    await this.facts.prefetchCounts(
      candidates
        .filter((f) => won.has(`fanout:${f._id}:0`) && f.kind === 'task.ended')
        .map((f) => (f as Extract<OutboxFact, { kind: 'task.ended' }>).task as unknown as TaskFacts),
    );
    const queue = [...candidates];
    const worker = async () => {
      for (let f = queue.shift(); f && !this.stopped; f = queue.shift()) {
        const fact = f;
        try {
          const takeover = won.has(`fanout:${fact._id}:0`) ? 0 : await this.claimFact(fact._id, 1);
          if (takeover === null) continue;
          this.sendingFacts.add(fact._id);
          const { sent, settled } = await this.fanOut(fact, takeover > 0).catch((err: unknown) => {
            this.sendingFacts.delete(fact._id);
            throw err;
          });
          // Its room is free once its first attempts are made: the next fact waiting for room goes then.
          void sent.finally(() => {
            this.sendingFacts.delete(fact._id);
            if (this.backlog) this.kickFanOut();
          });
          // The fact leaves the outbox once every delivery it made is recorded; its sends do not hold this pass.
          const done = settled
            .then(() => this.factsDone.add(fact._id))
            .catch((err: unknown) => this.log.warn({ msg: 'notification fact not fanned out; taken over after its lease', factId: fact._id, err: String(err) }))
            .finally(() => {
              this.sendingFacts.delete(fact._id);
              this.activeFacts.delete(fact._id);
              if (this.backlog) this.kickFanOut();
            });
          this.activeFacts.set(fact._id, done);
        } catch (err) {
          this.scanDue = true; // it is in the outbox only: the next pass reads it
          this.log.warn({ msg: 'notification fact not fanned out; retried next pass', factId: fact._id, err: String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: FANOUT_CONCURRENCY }, worker));
  }

  private leaseMs(): number {
    return this.opts.timeoutMs + FANOUT_LEASE_MS;
  }

  /** The takeover number this replica won for the fact, or null when another replica holds it. */
  private async claimFact(id: string, from = 0): Promise<number | null> {
    for (let k = Math.max(0, from - 1); k < 50; k++) {
      if (k < from) {
        // Claim k is known taken: is its holder still within its lease?
        const c = await this.deliveries.claim(`fanout:${id}:${k}`);
        if (c && Date.now() - new Date(c.at).getTime() < this.leaseMs()) {
          this.heldElsewhere.set(id, new Date(c.at).getTime());
          return null;
        }
        continue;
      }
      const key = `fanout:${id}:${k}`;
      if (await this.deliveries.tryClaim(key, this.opts.replicaId)) return k;
      const c = await this.deliveries.claim(key);
      if (c && Date.now() - new Date(c.at).getTime() < this.leaseMs()) {
        this.heldElsewhere.set(id, new Date(c.at).getTime());
        return null;
      }
    }
    return null;
  }

  /** Rules that fire on the fact, each with the event it raises. Public for the monitors' tests. */
  async fired(f: OutboxFact): Promise<Fired[]> {
    const rules = (await this.config.rules()).filter((r) => r.enabled);
    const at = new Date(f.at).toISOString();
    const out: Fired[] = [];
    if (f.kind === 'node.offline' || f.kind === 'node.online') {
      const node = this.facts.nodeName(f.nodeId);
      const event: NotifyEvent = {
        id: f._id,
        type: f.kind,
        at,
        projectId: null,
        node: { id: f.nodeId, name: node ?? f.nodeName, status: f.kind === 'node.online' ? 'online' : 'offline', at },
        links: { node: this.facts.link('/nodes') },
      };
      for (const r of rules) if (r.events.some((e) => e.type === f.kind) && ruleCovers(r, { projectId: null, spiderId: null }, f.kind)) out.push({ event, rule: r });
      return out;
    }
    if (f.kind === 'schedule.missed') {
      return this.firedScheduleMissed(f, rules, at);
    }
    return this.firedTask(f as Extract<OutboxFact, { task: unknown }>, rules, at);
  }

  private async firedTask(f: Extract<OutboxFact, { task: unknown }>, rules: RuleRecord[], at: string): Promise<Fired[]> {
    const out: Fired[] = [];
    const t = f.task as unknown as TaskFacts;
    const spider = await this.facts.spider(t.spiderId);
    const scope = { projectId: spider.projectId, spiderId: t.spiderId };
    const listening = rules.filter((r) => r.events.some((e) => ruleCovers(r, scope, e.type)));
    if (listening.length === 0) return out;
    if (f.kind === 'task.running_longer' || f.kind === 'task.pending_longer') {
      const kind = f.kind;
      const hit = listening.filter((r) => r.events.some((e) => e.type === kind && e.seconds === f.seconds));
      if (hit.length === 0) return out;
      const event = await this.facts.taskEvent(t, { id: f._id, type: kind, at }, { condition: { seconds: f.seconds } });
      if (event.task && kind === 'task.pending_longer') event.task.pendingReason = f.pendingReason;
      return hit.map((rule) => ({ event, rule }));
    }
    // task.ended
    const plain = statusEvent(t.status);
    const wants = (type: EventType) => listening.filter((r) => r.events.some((e) => e.type === type));
    const failed = t.status !== 'finished';
    const needLogs = wants('task.log_errors_above').length > 0 || (failed && plain !== null && wants(plain).length > 0);
    const logs: LogFacts | null = needLogs ? await this.facts.logs(String(t._id)) : null;
    const base = await this.facts.taskEvent(t, { id: f._id, type: plain ?? 'task.finished', at }, failed && logs ? { logTail: logs.tail } : {});
    if (plain) for (const rule of wants(plain)) out.push({ event: { ...base, id: `${f._id}:${plain}`, type: plain }, rule });
    let previous: Map<number, number[]> | null = null;
    for (const rule of listening) {
      for (const e of rule.events) {
        if (e.type === 'task.results_below' && t.status === 'finished') {
          previous ??= new Map();
          const k = e.ofLastRuns ?? 5;
          if (e.belowMedianPercent !== undefined && !previous.has(k)) previous.set(k, await this.facts.previousCounts(t.spiderId, String(t._id), k));
          const cond = resultsBelow(e, base.task?.resultCount ?? 0, previous.get(k) ?? []);
          if (cond) out.push({ event: { ...base, id: conditionEventId(f._id, e), type: e.type, condition: cond }, rule });
        }
        if (e.type === 'task.log_errors_above' && logs) {
          const n = countErrorLines(logs.lines, e.pattern);
          if (n > (e.count ?? 0)) out.push({ event: { ...base, logTail: logs.tail, id: conditionEventId(f._id, e), type: e.type, condition: { errorLines: n, count: e.count ?? 0, ...(e.pattern ? { pattern: e.pattern } : {}) } }, rule });
        }
      }
    }
    return out;
  }

  private async firedScheduleMissed(f: Extract<OutboxFact, { kind: 'schedule.missed' }>, rules: RuleRecord[], at: string): Promise<Fired[]> {
    // The schedule's spider is not in the fact (the tick failed before reading it for sure): rules are matched on what is known.
    const spiderId = null;
    const event: NotifyEvent = {
      id: f._id,
      type: 'schedule.missed',
      at,
      projectId: null,
      schedule: { id: f.scheduleId, spiderId, spiderName: null, tick: new Date(f.tick).toISOString(), error: f.error },
      links: {},
    };
    return rules.filter((r) => r.events.some((e) => e.type === 'schedule.missed') && r.projectId === null && r.spiderIds.length === 0).map((rule) => ({ event, rule }));
  }

  /**
   * Matches the fact and starts its deliveries: first attempts at once (recorded in batches
   * as they settle), or after a takeover one pending record per delivery for the senders.
   * Resolves once everything is started; `settled` once every delivery is recorded.
   */
  private async fanOut(f: OutboxFact, takeover: boolean): Promise<{ sent: Promise<void>; settled: Promise<void> }> {
    const fired = await this.fired(f);
    const now = Date.now();
    // One delivery per event and channel, whatever the number of rules naming both.
    const direct = new Map<string, { event: NotifyEvent; channel: ChannelRecord; ruleIds: string[] }>();
    for (const { event, rule } of fired) {
      for (const channelId of rule.channelIds) {
        const channel = await this.config.channel(channelId);
        if (!channel) continue;
        if (rule.throttle && rule.throttle.windowSeconds > 0) {
          await this.addToDigest(rule, channel, event, now);
          continue;
        }
        const id = `${event.id}:${channelId}`;
        const d = direct.get(id) ?? { event, channel, ruleIds: [] };
        d.ruleIds.push(String(rule._id));
        direct.set(id, d);
      }
    }
    const records = [...direct].map(([id, d]) => ({
      channel: d.channel,
      record: this.newDelivery(id, d.event.id, d.event.type, d.ruleIds, d.channel, d.event.projectId, d.event.task?.spiderId ?? null, [d.event], new Date(now)),
    }));
    if (takeover) {
      // The replica that held this fact may have sent and recorded some: records are keyed, and the due list sends the rest.
      for (const r of records) await this.deliveries.create(r.record);
      if (records.length) this.kick();
      return { sent: Promise.resolve(), settled: Promise.resolve() };
    }
    const attempts = records.map((r) => this.firstAttempt(r.record, r.channel));
    const settled = Promise.all(attempts.map((a) => a.recorded)).then(() => undefined);
    // `sent` never rejects: a failed attempt's error is `settled`'s to report.
    const sent = Promise.allSettled(attempts.map((a) => a.sent)).then(() => undefined);
    return { sent, settled };
  }

  /** Attempt 1 of a fresh delivery, made by the fact's claimant: `sent` once made, `recorded` once its record (with the outcome) is written. */
  private firstAttempt(d: DeliveryRecord, channel: ChannelRecord): { sent: Promise<void>; recorded: Promise<void> } {
    const outcome = this.slots.run(() => this.sendSafely(channel, { deliveryId: d._id, kind: 'event', events: d.events }, d.eventType));
    const recorded = outcome.then((o) => {
      const { set, due } = this.outcome(d, 1, o);
      return this.history.add({ ...d, ...set, nextAttemptAt: due ?? d.nextAttemptAt });
    });
    return { sent: outcome.then(() => undefined), recorded };
  }

  private async addToDigest(rule: RuleRecord, channel: ChannelRecord, event: NotifyEvent, now: number): Promise<void> {
    const w = (rule.throttle as { windowSeconds: number }).windowSeconds * 1000;
    const key = `digest:${String(rule._id)}:${String(channel._id)}`;
    // An event goes in one digest only, even when its fact is fanned out again in a later window
    // (a replay, a monitor on another replica): the first fan-out's window is kept by a claim.
    let digestId = await this.deliveries.digestOf(`${event.id}:${String(rule._id)}:${String(channel._id)}`, `${key}:${Math.floor(now / w) * w}`);
    for (let moves = 0; moves < 10; moves++) {
      const start = Number(digestId.slice(digestId.lastIndexOf(':') + 1));
      await this.outbox.addDigestItem({ _id: `${digestId}|${event.id}`, digestId, event, at: new Date(now) });
      await this.deliveries.create(
        this.newDelivery(digestId, digestId, 'digest', [String(rule._id)], channel, rule.projectId, rule.spiderIds.length === 1 ? rule.spiderIds[0] : null, [], new Date(start + w + DIGEST_GRACE_MS)),
      );
      // The item landed after its digest was sealed (a slow fan-out at the window's end)? Then
      // the sealed digest says whether it made it in; if not, it goes in the next window's.
      if (!(await this.deliveries.claim(`${digestId}:1:0`))) return;
      const sealed = await this.sealedEvents(digestId);
      if (sealed === null || sealed.has(event.id)) return;
      digestId = `${key}:${start + w}`;
    }
  }

  /** Event ids a claimed digest holds, once its sender recorded them (null: not known within 10 s). */
  private async sealedEvents(digestId: string): Promise<Set<string> | null> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const d = await this.deliveries.get(digestId);
      if (d && (d.events.length > 0 || d.status !== 'pending')) return new Set(d.events.map((e) => e.id));
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  }

  private newDelivery(id: string, eventId: string, type: DeliveryRecord['eventType'], ruleIds: string[], channel: ChannelRecord, projectId: string | null, spiderId: string | null, events: NotifyEvent[], due: Date): DeliveryRecord {
    return {
      _id: id,
      eventId,
      eventType: type,
      ruleIds,
      channelId: String(channel._id),
      channelType: channel.type,
      projectId,
      spiderId,
      status: 'pending',
      attempts: 0,
      maxAttempts: this.opts.maxAttempts,
      responseCode: null,
      lastError: null,
      latencyMs: null,
      createdAt: new Date(),
      nextAttemptAt: due,
      sentAt: null,
      events,
    };
  }

  // ---- sending: due deliveries -> receivers

  private async sendPass(): Promise<void> {
    const due = await this.deliveries.dueNow(new Date(), DUE_PER_PASS);
    for (const d of due) {
      if (this.inFlight.size >= this.opts.concurrency) break;
      if (this.inFlight.has(d._id)) continue;
      const p = this.attempt(d._id)
        .catch((err: unknown) => this.log.warn({ msg: 'delivery attempt failed to run', deliveryId: d._id, err: String(err) }))
        .finally(() => this.inFlight.delete(d._id));
      this.inFlight.set(d._id, p);
    }
  }

  /** Makes the next attempt of a delivery if this replica wins its claim. */
  private async attempt(id: string): Promise<void> {
    const d = await this.deliveries.get(id);
    if (!d || d.status === 'sent' || d.status === 'failed') {
      await this.deliveries.notDue(id);
      return;
    }
    const channel = await this.config.channel(d.channelId);
    const n = d.attempts + 1;
    if (!(await this.claimAttempt(id, n, channel))) return;
    if (!channel) {
      await this.settle(d, n, { ok: false, retryable: false, responseCode: null, error: 'channel deleted', retryAfterMs: null, latencyMs: 0 });
      return;
    }
    let events = d.events;
    if (d.eventType !== 'digest' && events.length === 0) {
      // A record stored slim whose holder is gone (retention dropped it): nothing left to send.
      await this.settle(d, n, { ok: false, retryable: false, responseCode: null, error: 'event no longer stored: nothing sent', retryAfterMs: null, latencyMs: 0 });
      return;
    }
    if (d.eventType === 'digest' && events.length === 0) {
      const items = await this.outbox.digestItems(id);
      events = items.map((i) => i.event).sort((a, b) => a.at.localeCompare(b.at));
      if (events.length === 0) {
        await this.settle(d, n, { ok: true, retryable: false, responseCode: null, error: 'empty digest: nothing sent', retryAfterMs: null, latencyMs: 0 });
        return;
      }
      // Kept on the delivery so a retry sends the same digest; then the items go.
      await this.deliveries.update(id, { events });
      await this.outbox.dropDigestItems(items.map((i) => i._id));
    }
    const rule = d.eventType === 'digest' ? (await this.config.rules()).find((r) => String(r._id) === d.ruleIds[0]) : undefined;
    const message: Message = {
      deliveryId: id,
      kind: d.eventType === 'digest' ? 'digest' : 'event',
      events,
      ...(rule ? { rule: { id: String(rule._id), name: rule.name, windowSeconds: rule.throttle?.windowSeconds ?? 0 } } : {}),
    };
    const outcome = await this.send(channel, message, d.eventType);
    await this.settle({ ...d, events }, n, outcome);
  }

  /**
   * The right to make attempt `n`: the first free claim `<id>:<n>:<k>`. A claim held longer
   * than a send can take means its holder died mid-send: the next `k` takes over.
   */
  private async claimAttempt(id: string, n: number, channel: ChannelRecord | undefined): Promise<boolean> {
    const staleMs = (channel?.config.timeoutMs ?? this.opts.timeoutMs) + 30_000;
    for (let k = 0; k < 50; k++) {
      const key = `${id}:${n}:${k}`;
      if (await this.deliveries.tryClaim(key, this.opts.replicaId)) return true;
      const c = await this.deliveries.claim(key);
      if (c && Date.now() - new Date(c.at).getTime() < staleMs) return false;
    }
    return false;
  }

  async send(channel: ChannelRecord, m: Message, eventType: string): Promise<SendOutcome> {
    const secrets = channel.secrets ? this.openSecrets(channel.secrets) : {};
    return this.sender.send({ type: channel.type, config: channel.config, secrets, eventType }, m, channel.config.timeoutMs ?? this.opts.timeoutMs);
  }

  /** A channel's secrets, opened once per boxed value (not once per send: ten rules make ten sends per event). */
  private openSecrets(boxed: string): { secret?: string; password?: string } {
    let s = this.openedSecrets.get(boxed);
    if (!s) {
      s = JSON.parse(this.box.open(boxed)) as { secret?: string; password?: string };
      if (this.openedSecrets.size >= 1000) this.openedSecrets.clear();
      this.openedSecrets.set(boxed, s);
    }
    return s;
  }

  private async sendSafely(channel: ChannelRecord, m: Message, eventType: string): Promise<SendOutcome> {
    try {
      return await this.send(channel, m, eventType);
    } catch (err) {
      return { ok: false, retryable: false, responseCode: null, error: `not sent: ${String(err)}`, retryAfterMs: null, latencyMs: 0 };
    }
  }

  private async settle(d: DeliveryRecord, n: number, o: SendOutcome): Promise<void> {
    const { set, due } = this.outcome(d, n, o);
    await this.deliveries.update(d._id, set);
    if (due) await this.deliveries.markDue(d._id, due);
    else await this.deliveries.notDue(d._id);
  }

  /** What attempt `n`'s outcome changes on the delivery, and when it is due again (null: settled); counted and logged. */
  private outcome(d: DeliveryRecord, n: number, o: SendOutcome): { set: Partial<DeliveryRecord>; due: Date | null } {
    const base = { attempts: n, responseCode: o.responseCode, lastError: o.error, latencyMs: o.latencyMs };
    const type = d.channelType;
    if (o.ok) {
      this.metrics.sent.inc({ channel_type: type });
      const first = d.events.length ? Math.min(...d.events.map((e) => Date.parse(e.at))) : Date.now();
      if (d.eventType !== 'digest') this.metrics.latency.observe({ channel_type: type }, (Date.now() - first) / 1000);
      // Debug: ten channels make ten of these per task, and the deliveries history records each; failures and retries are warnings.
      this.log.debug({ msg: 'notification delivered', deliveryId: d._id, channelId: d.channelId, attempts: n, responseCode: o.responseCode, latencyMs: o.latencyMs });
      return { set: { ...base, status: 'sent', sentAt: new Date() }, due: null };
    }
    if (o.retryable && n < (d.maxAttempts ?? this.opts.maxAttempts)) {
      const at = new Date(Date.now() + nextAttemptDelayMs(n, o.retryAfterMs, this.opts.retryBaseMs, this.opts.retryMaxMs));
      this.metrics.retried.inc({ channel_type: type });
      this.log.warn({ msg: 'notification attempt failed; will retry', deliveryId: d._id, channelId: d.channelId, attempt: n, responseCode: o.responseCode, err: o.error, nextAttemptAt: at.toISOString() });
      return { set: { ...base, status: 'pending', nextAttemptAt: at }, due: at };
    }
    this.metrics.failed.inc({ channel_type: type });
    this.log.warn({ msg: 'notification given up', deliveryId: d._id, channelId: d.channelId, attempts: n, responseCode: o.responseCode, err: o.error });
    return { set: { ...base, status: 'failed' }, due: null };
  }
}

/** At most `n` sends in flight: a hanging receiver holds one slot, not the others. */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(n: number) {
    this.free = Math.max(1, n);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** An event raised by a rule's condition: its id names the condition (hashed: patterns hold any character). */
function conditionEventId(factId: string, e: RuleEvent): string {
  return `${factId}:${e.type}:${createHash('sha1').update(conditionKey(e)).digest('hex').slice(0, 10)}`;
}
