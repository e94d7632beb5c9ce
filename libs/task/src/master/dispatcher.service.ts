import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ControlStreamRegistry, NodeCache, NodeRecord, NodeRepository } from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { ClaimRepository } from './claim.repository';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { commandLine, TaskRecord } from '../task.types';
import { chooseNode, Slot } from '../dispatch-plan';
import { crashPoint } from './crash-point';
import { SpiderToolsLookup } from './spider-tools.lookup';
import { PendingPool } from './pending-pool';
import { RecentAssignments } from './recent-assignments';
import { PendingFeed } from './pending-feed';

type SpiderNow = { version: number | null; tools: string[] };

/** Pending tasks tried per pass; a full window triggers another pass right away. */
const PENDING_WINDOW = 500;
/** A task whose claim another replica holds is tried again after this long, not every pass. */
const HELD_RECHECK_MS = 1000;
/**
 * A spider's version is read at most this often (it was two reads per pass, about one per
 * task). A task never gets a version older than the one its create read (see spiderFor), so
 * a deploy followed by a create always runs the new files; a deploy alone reaches tasks
 * created before it within this time.
 */
const SPIDER_READ_MS = 1000;

/**
 * Push dispatch. This replica assigns work only to nodes whose control stream it holds;
 * a pass runs when a task is created, a node becomes ready, a slot frees, and on a short
 * tick. Passes never overlap within a replica, and each assignment is an atomic claim, so
 * replicas never hand one attempt out twice.
 *
 * A pass costs no read of the backlog: the pending tasks live in memory (PendingPool), fed
 * by this replica's creates at once and by PendingFeed (a bounded read of what other
 * replicas queued, plus a rare full resync); busy slots come from the workers' heartbeats
 * and this replica's own recent assignments; nodes from the NodeCache. The database work
 * per pass is then per assignment only: claim, mark assigned, and the spider's version.
 */
@Injectable()
export class DispatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(DispatcherService.name);
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly pool = new PendingPool();
  private readonly recent = new RecentAssignments();
  /** `<task>:<attempt>` → when this replica first found its dispatch claim held by another. */
  private readonly claimHeldSince = new Map<string, number>();
  /** `<task>:<attempt>` → not tried again before this time (its claim is held elsewhere). */
  private readonly recheckAt = new Map<string, number>();
  private readonly onReady = () => this.kick();
  private readonly onClosed = (nodeId: string) => {
    if (!this.registry.get(nodeId)) this.recent.forgetNode(nodeId);
  };
  private readonly feed: PendingFeed;
  private readonly spiderCache = new Map<string, { at: number; now: Promise<SpiderNow> }>();

  constructor(
    private readonly registry: ControlStreamRegistry,
    private readonly nodes: NodeRepository,
    private readonly nodeCache: NodeCache,
    private readonly tasks: TaskRepository,
    private readonly claims: ClaimRepository,
    private readonly spiders: SpiderRepository,
    private readonly toolsNeeded: SpiderToolsLookup,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {
    this.feed = new PendingFeed(tasks, this.pool, opts.dispatchPollMs, () => this.kick());
  }

  onModuleInit(): void {
    this.registry.events.on('ready', this.onReady);
    this.registry.events.on('closed', this.onClosed);
    this.timer = setInterval(() => this.kick(), this.opts.dispatchPollMs);
    this.feed.start();
  }

  /** Stops kicking and waits for a pass in flight: a pass cut by the database closing could leave a claim without its assignment. */
  async onModuleDestroy(): Promise<void> {
    this.registry.events.off('ready', this.onReady);
    this.registry.events.off('closed', this.onClosed);
    if (this.timer) clearInterval(this.timer);
    await this.feed.stop();
    this.again = false;
    await this.running;
  }

  /** Tasks just created on this replica: dispatchable at once, without waiting for a read. */
  enqueue(created: TaskRecord[]): void {
    for (const t of created) this.pool.upsert(t);
    this.kick();
  }

  /** A final report handled here: the node's slot is free now. */
  released(nodeId: string, taskId: string, attempt: number): void {
    this.recent.release(nodeId, taskId, attempt);
    this.kick();
  }

  /** The pending tasks this replica holds in memory (a cache: act on them only through a claim or a guarded close). */
  pendingKnown(): TaskRecord[] {
    return this.pool.window(Number.MAX_SAFE_INTEGER);
  }

  /**
   * Our claim of a pending attempt failed: someone else holds it. Asks the database (one
   * read by `_id`) whether the attempt is still pending. If not (another replica assigned it,
   * a cancel closed it) it leaves the pool. If it is, normally a replica is assigning it this
   * very moment; still pending after the ack timeout means that replica died between its
   * claim and the assignment (SIGKILL, lost database): the attempt is then closed and the
   * task re-queued under a new attempt (the close claim makes one replica do it).
   */
  private async claimHeldElsewhere(t: TaskRecord): Promise<void> {
    const id = String(t._id);
    const key = `${id}:${t.attempt}`;
    const cur = await this.tasks.findById(id);
    if (!cur || cur.status !== 'pending' || cur.attempt !== t.attempt) {
      this.forgetAttempt(id, t.attempt);
      if (cur) this.pool.upsert(cur);
      return;
    }
    const now = Date.now();
    this.recheckAt.set(key, now + HELD_RECHECK_MS);
    const since = this.claimHeldSince.get(key);
    if (since === undefined) {
      this.claimHeldSince.set(key, now);
      return;
    }
    if (now - since < this.opts.ackTimeoutMs) return;
    this.claimHeldSince.delete(key);
    // A cancel claims the dispatch of a pending attempt, then closes it: finish its close.
    const holder = await this.claims.find(key);
    if (holder?.by.startsWith('cancel:')) {
      if (await this.tasks.end(cur, ['pending'], 'cancelled', 'cancelled by user')) this.log.warn({ msg: 'interrupted cancel finished', taskId: id });
      this.forgetAttempt(id, t.attempt);
      return;
    }
    const ended = { attempt: t.attempt, nodeId: null, status: 'pending' as const, error: 'dispatch interrupted: the replica that claimed it stopped before assigning', at: new Date() };
    if (await this.tasks.requeue(cur, ['pending'], ended)) {
      this.log.warn({ msg: 'abandoned dispatch claim; task re-queued', taskId: id, attempt: t.attempt });
      this.again = true;
    }
    this.forgetAttempt(id, t.attempt);
    const next = await this.tasks.findById(id);
    if (next) this.pool.upsert(next);
  }

  /** The attempt is no longer this replica's to dispatch. */
  private forgetAttempt(id: string, attempt: number): void {
    const key = `${id}:${attempt}`;
    this.pool.drop(id, attempt);
    this.claimHeldSince.delete(key);
    this.recheckAt.delete(key);
  }

  /** Requests a pass; coalesces with one already running. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        if (await this.pass()) this.again = true;
      } catch (err) {
        this.log.warn({ msg: 'dispatch pass failed', err: String(err) });
      }
    } while (this.again);
  }

  /** One pass; true when it filled a whole window and more may be waiting. */
  private async pass(): Promise<boolean> {
    const ready = this.registry.readyNodeIds();
    if (ready.length === 0 || this.pool.size === 0) return false;
    const slots: Slot[] = (await this.readyNodes(ready))
      .filter((n) => n.enabled)
      .map((n: NodeRecord) => {
        const nodeId = String(n._id);
        const session = this.registry.get(nodeId);
        return {
          nodeId,
          labels: n.labels,
          free: session ? n.maxRunners - this.recent.busy(session) : 0,
          runtimes: (n.runtimes ?? []).map((r) => r.name),
        };
      })
      .filter((s) => s.free > 0);
    if (slots.length === 0) return false;
    const now = Date.now();
    const pending = this.pool.window(PENDING_WINDOW);
    // Plan the whole pass, then assign concurrently: the claims and the moves into `tasks` of
    // one pass go out as one insert each (ClaimRepository, TaskRepository batch what overlaps).
    // Assignments go out in about dispatch order (the first claim goes alone, the rest together).
    const planned: { t: TaskRecord; slot: Slot; version: number | null }[] = [];
    for (const t of pending) {
      const key = `${String(t._id)}:${t.attempt}`;
      if ((this.recheckAt.get(key) ?? 0) > now) continue;
      const spider = await this.spiderFor(t);
      const slot = chooseNode(t, slots, spider.tools);
      if (!slot) continue;
      slot.free--;
      planned.push({ t, slot, version: spider.version });
      if (slots.every((s) => s.free <= 0)) break;
    }
    const outcomes = await Promise.allSettled(planned.map((p) => this.assign(p.t, p.slot.nodeId, p.version)));
    let assigned = 0;
    let lost = 0;
    for (const o of outcomes) {
      if (o.status === 'fulfilled' && o.value) assigned++;
      else if (o.status === 'fulfilled') lost++;
    }
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason; // as before: the pass ends, the next kick tries again
    // A lost claim leaves its slot free: another pass fills it (only after progress, never a spin).
    return assigned > 0 && (lost > 0 || pending.length === PENDING_WINDOW);
  }

  /**
   * The ready nodes' records from the NodeCache (kept current by heartbeats and reloads),
   * read from the database only for a node the cache does not know yet.
   */
  private async readyNodes(ids: string[]): Promise<NodeRecord[]> {
    const cached = ids.map((id) => this.nodeCache.get(id));
    const missing = ids.filter((_, i) => !cached[i]);
    const read = missing.length ? await this.nodes.findByIds(missing) : [];
    return [...cached.filter((n): n is NodeRecord => n !== undefined), ...read];
  }

  /**
   * The spider's version and tools for `t`: from a read at most SPIDER_READ_MS old, and read
   * again when `t` was created against a newer version than that read saw.
   */
  private async spiderFor(t: TaskRecord): Promise<SpiderNow> {
    const now = Date.now();
    const cached = this.spiderCache.get(t.spiderId);
    if (cached && now - cached.at < SPIDER_READ_MS) {
      const s = await cached.now.catch(() => null);
      if (s && (s.version === null || s.version >= (t.spiderVersion ?? 0))) return s;
    }
    const fresh = { at: now, now: this.spiderNow(t.spiderId) };
    this.spiderCache.set(t.spiderId, fresh);
    fresh.now.catch(() => this.spiderCache.delete(t.spiderId));
    if (this.spiderCache.size > 1000) this.spiderCache.delete(this.spiderCache.keys().next().value as string);
    return fresh.now;
  }

  /** A spider's current version and the tools it needs (two reads, and the manifest on a new version). */
  private async spiderNow(spiderId: string): Promise<SpiderNow> {
    const version = (await this.spiders.findById(spiderId))?.version ?? null;
    // Version 0 has no files, so it needs no tools.
    return { version, tools: version ? await this.toolsNeeded.forSpider(spiderId, version) : [] };
  }

  private async assign(t: TaskRecord, nodeId: string, version: number | null): Promise<boolean> {
    const taskId = String(t._id);
    if (!(await this.claims.tryClaim(`${taskId}:${t.attempt}`, this.opts.replicaId))) {
      await this.claimHeldElsewhere(t);
      return false;
    }
    this.forgetAttempt(taskId, t.attempt);
    await crashPoint('after-dispatch-claim');
    if (version === null) {
      await this.tasks.end(t, ['pending'], 'error', 'spider was deleted before the task could run');
      return false;
    }
    if (!(await this.tasks.markAssigned(t, nodeId, version))) return false;
    this.recent.add(nodeId, taskId, t.attempt);
    const sent = this.registry.send(nodeId, {
      assignment: {
        taskId,
        attempt: t.attempt,
        spiderId: t.spiderId,
        spiderVersion: version,
        command: commandLine(t.cmd, t.param),
        env: t.env,
        timeoutSec: t.timeoutSec,
        killGraceSec: t.killGraceSec ?? 0,
        ackTimeoutMs: this.opts.ackTimeoutMs,
      },
    });
    // Not sent: the stream just closed. The ack timeout re-queues the attempt.
    this.log.debug({ msg: 'task assigned', taskId, attempt: t.attempt, nodeId, sent });
    return true;
  }
}
