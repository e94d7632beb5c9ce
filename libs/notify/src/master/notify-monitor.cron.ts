import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { NodeCache, OnePass } from '@crawlnest/node';
import { TaskService, type TaskView } from '@crawlnest/task';
import { NotifyConfigCache } from './notify-config.cache';
import { OutboxFact, OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { taskSnapshot } from './task-events.sink';

const EVERY_MS = 1000;
/** Transitions older than this when first seen (a replica starting, a rule made later) are history, not news. */
const NEWS_MS = 120_000;
const OPEN_PAGE = 500;

/**
 * Monitors that watch state instead of being told: node transitions (read from the node
 * cache, which every replica reloads) and tasks running or pending past a rule's threshold.
 * Every replica watches; each finding is recorded in the outbox under an `_id` naming it
 * (node + transition time, task + attempt + threshold), so it is raised once across replicas,
 * by the replica whose insert recorded it.
 */
@Injectable()
export class NotifyMonitorCron implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(NotifyMonitorCron.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new OnePass();
  /** Fact ids this replica already recorded (or found recorded): not inserted again. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: NotifyConfigCache,
    private readonly nodes: NodeCache,
    private readonly tasks: TaskService,
    private readonly signal: OutboxSignal,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      void this.pass.run(() => this.tick().catch((err: unknown) => this.log.warn({ msg: 'notification monitors failed', err: String(err) })));
    }, EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pass.stop();
  }

  private async tick(): Promise<void> {
    const rules = (await this.config.rules()).filter((r) => r.enabled);
    const events = rules.flatMap((r) => r.events);
    const now = Date.now();
    if (events.some((e) => e.type === 'node.offline' || e.type === 'node.online')) {
      for (const n of this.nodes.all()) {
        const id = String(n._id);
        if (n.status === 'offline' && n.offlineAt && now - new Date(n.offlineAt).getTime() < NEWS_MS) {
          // Keyed on the online spell it ended (activeAt), not on offlineAt: the stream's close and
          // the liveness check can each stamp their own offlineAt for one and the same loss.
          const spell = n.activeAt ? `after:${new Date(n.activeAt).getTime()}` : String(new Date(n.offlineAt).getTime());
          await this.record({ _id: `node:${id}:offline:${spell}`, kind: 'node.offline', at: new Date(n.offlineAt), nodeId: id, nodeName: n.name });
        }
        if (n.status === 'online' && n.activeAt && now - new Date(n.activeAt).getTime() < NEWS_MS) {
          await this.record({ _id: `node:${id}:online:${new Date(n.activeAt).getTime()}`, kind: 'node.online', at: new Date(n.activeAt), nodeId: id, nodeName: n.name });
        }
      }
    }
    const running = [...new Set(events.filter((e) => e.type === 'task.running_longer' && e.seconds).map((e) => e.seconds as number))];
    const pending = [...new Set(events.filter((e) => e.type === 'task.pending_longer' && e.seconds).map((e) => e.seconds as number))];
    if (running.length) {
      for (const t of (await this.tasks.list({ status: 'running' }, 1, OPEN_PAGE)).items) {
        const since = t.startedAt ? Date.parse(t.startedAt) : null;
        if (since === null) continue;
        for (const s of running) if (now - since >= s * 1000) await this.record(this.taskFact('task.running_longer', t, s));
      }
    }
    if (pending.length) {
      for (const t of (await this.tasks.list({ status: 'pending' }, 1, OPEN_PAGE)).items) {
        const since = Date.parse(t.createdAt);
        for (const s of pending) if (now - since >= s * 1000) await this.record(this.taskFact('task.pending_longer', t, s));
      }
    }
  }

  private taskFact(kind: 'task.running_longer' | 'task.pending_longer', t: TaskView, seconds: number): OutboxFact {
    const tag = kind === 'task.running_longer' ? 'running' : 'pending';
    const snapshot = taskSnapshot({
      _id: t.id,
      spiderId: t.spiderId,
      attempt: t.attempt,
      status: t.status,
      nodeId: t.nodeId,
      exitCode: t.exitCode,
      error: t.error,
      createdAt: new Date(t.createdAt),
      startedAt: t.startedAt ? new Date(t.startedAt) : null,
      finishedAt: null,
      scheduleId: t.scheduleId,
    });
    return { _id: `${tag}:${t.id}:${t.attempt}:${seconds}`, kind, at: new Date(), task: snapshot, seconds, pendingReason: t.pendingReason };
  }

  private async record(fact: OutboxFact): Promise<void> {
    if (this.seen.has(fact._id)) return;
    // The replica whose insert recorded it hands it to its notifier at once (the outbox read is the fallback).
    if (await this.outbox.record(fact)) this.signal.raise(fact);
    this.seen.add(fact._id);
    if (this.seen.size > 100_000) this.seen.clear(); // the unique insert still keeps it once
  }
}
