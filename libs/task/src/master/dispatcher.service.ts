import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ControlStreamRegistry, NodeRecord, NodeRepository } from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { ClaimRepository } from './claim.repository';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { commandLine, TaskRecord } from '../task.types';
import { bestFirst, chooseNode, Slot } from '../dispatch-plan';
import { busySlots } from './worker-held-runs';
import { crashPoint } from './crash-point';
import { SpiderToolsLookup } from './spider-tools.lookup';

/** Pending tasks tried per pass; a full window triggers another pass right away. */
const PENDING_WINDOW = 500;

/**
 * Push dispatch. This replica assigns work only to nodes whose control stream it holds;
 * a pass runs when a task is created, a node becomes ready, a slot frees, and on a short
 * tick (tasks created on another replica). Passes never overlap within a replica, and each
 * assignment is an atomic claim, so replicas never hand one attempt out twice. A pass reads
 * the pending window once and matches it to free slots in memory: on FerretDB every query
 * is a scan, so per-node or per-task queries would make dispatch quadratic.
 */
@Injectable()
export class DispatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(DispatcherService.name);
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** `<task>:<attempt>` → when this replica first found its dispatch claim held by another. */
  private readonly claimHeldSince = new Map<string, number>();
  private readonly onReady = () => this.kick();

  constructor(
    private readonly registry: ControlStreamRegistry,
    private readonly nodes: NodeRepository,
    private readonly tasks: TaskRepository,
    private readonly claims: ClaimRepository,
    private readonly spiders: SpiderRepository,
    private readonly toolsNeeded: SpiderToolsLookup,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  onModuleInit(): void {
    this.registry.events.on('ready', this.onReady);
    this.timer = setInterval(() => this.kick(), this.opts.dispatchPollMs);
  }

  /** Stops kicking and waits for a pass in flight: a pass cut by the database closing could leave a claim without its assignment. */
  async onModuleDestroy(): Promise<void> {
    this.registry.events.off('ready', this.onReady);
    if (this.timer) clearInterval(this.timer);
    this.again = false;
    await this.running;
  }

  /**
   * A pending attempt whose dispatch claim someone else holds: normally a replica assigning
   * it this very moment. Still pending after the ack timeout means that replica died between
   * its claim and the assignment (SIGKILL, lost database); the attempt is then closed and
   * the task re-queued under a new attempt (the close claim makes one replica do it).
   */
  private async releaseIfAbandoned(t: TaskRecord): Promise<void> {
    const key = `${String(t._id)}:${t.attempt}`;
    const now = Date.now();
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
      if (await this.tasks.end(t, ['pending'], 'cancelled', 'cancelled by user')) this.log.warn({ msg: 'interrupted cancel finished', taskId: String(t._id) });
      return;
    }
    const ended = { attempt: t.attempt, nodeId: null, status: 'pending' as const, error: 'dispatch interrupted: the replica that claimed it stopped before assigning', at: new Date() };
    if (await this.tasks.requeue(t, ['pending'], ended)) {
      this.log.warn({ msg: 'abandoned dispatch claim; task re-queued', taskId: String(t._id), attempt: t.attempt });
      this.again = true;
    }
  }

  /** Keeps the held-claim clock only for attempts still pending. */
  private forgetHeldClaims(pending: TaskRecord[]): void {
    const live = new Set(pending.map((t) => `${String(t._id)}:${t.attempt}`));
    for (const key of this.claimHeldSince.keys()) if (!live.has(key)) this.claimHeldSince.delete(key);
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
    if (ready.length === 0) return false;
    const nodes = (await this.nodes.findByIds(ready)).filter((n) => n.enabled);
    const open = await this.tasks.findOpen();
    const onNode = new Map<string, TaskRecord[]>();
    for (const t of open) if (t.nodeId && t.status !== 'pending') onNode.set(t.nodeId, [...(onNode.get(t.nodeId) ?? []), t]);
    const slots: Slot[] = nodes
      .map((n: NodeRecord) => {
        const nodeId = String(n._id);
        return {
          nodeId,
          labels: n.labels,
          free: n.maxRunners - busySlots(this.registry.get(nodeId), onNode.get(nodeId) ?? []),
          runtimes: (n.runtimes ?? []).map((r) => r.name),
        };
      })
      .filter((s) => s.free > 0);
    if (slots.length === 0) return false;
    const pending = bestFirst(open.filter((t) => t.status === 'pending')).slice(0, PENDING_WINDOW);
    this.forgetHeldClaims(pending);
    const versions = new Map<string, number | null>();
    let assigned = 0;
    for (const t of pending) {
      const slot = chooseNode(t, slots, await this.toolsNeeded.forSpider(t.spiderId));
      if (!slot) continue;
      if (await this.assign(t, slot.nodeId, versions)) {
        slot.free--;
        assigned++;
      }
      if (slots.every((s) => s.free <= 0)) break;
    }
    return pending.length === PENDING_WINDOW && assigned > 0;
  }

  private async assign(t: TaskRecord, nodeId: string, versions: Map<string, number | null>): Promise<boolean> {
    const taskId = String(t._id);
    if (!(await this.claims.tryClaim(`${taskId}:${t.attempt}`, this.opts.replicaId))) {
      await this.releaseIfAbandoned(t);
      return false;
    }
    this.claimHeldSince.delete(`${taskId}:${t.attempt}`);
    await crashPoint('after-dispatch-claim');
    if (!versions.has(t.spiderId)) versions.set(t.spiderId, (await this.spiders.findById(t.spiderId))?.version ?? null);
    const version = versions.get(t.spiderId) ?? null;
    if (version === null) {
      await this.tasks.end(t, ['pending'], 'error', 'spider was deleted before the task could run');
      return false;
    }
    if (!(await this.tasks.markAssigned(taskId, t.attempt, nodeId, version))) return false;
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
      },
    });
    // Not sent: the stream just closed. The ack timeout re-queues the attempt.
    this.log.debug({ msg: 'task assigned', taskId, attempt: t.attempt, nodeId, sent });
    return true;
  }
}
