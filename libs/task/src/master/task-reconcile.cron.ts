import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry, NodeRepository } from '@crawlnest/node';
import { ClaimRepository } from './claim.repository';
import { DispatcherService } from './dispatcher.service';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { ACTIVE_STATUSES, TaskRecord } from '../task.types';

/** Extra time past a task's own timeout before the master enforces it (the worker normally does). */
const TIMEOUT_ENFORCEMENT_SLACK_MS = 15_000;

/**
 * The safety net, idempotent and safe on several replicas: every change it makes is
 * claimed first (`<what>:<taskId>:<attempt>`), so exactly one replica makes it.
 * - assignments nobody acknowledged go back to pending as a new attempt;
 * - tasks of a node offline for longer than the orphan grace become `abnormal`, and are
 *   queued again while `attempt <= maxRetries`;
 * - running tasks far past their timeout (the worker could not enforce it) end in error;
 * - selected-nodes tasks whose targets stay unavailable past the pending timeout end in
 *   error with the reason.
 */
@Injectable()
export class TaskReconcileCron {
  private readonly log = new Logger(TaskReconcileCron.name);
  private busy = false;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly claims: ClaimRepository,
    private readonly nodes: NodeRepository,
    private readonly registry: ControlStreamRegistry,
    private readonly dispatcher: DispatcherService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  @Interval(1000)
  async reconcile(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const requeued = (await this.requeueUnacknowledged()) + (await this.abandonOrphans());
      await this.enforceTimeouts();
      await this.expireUnservable();
      if (requeued > 0) this.dispatcher.kick();
    } catch (err) {
      this.log.warn({ msg: 'reconcile pass failed', err: String(err) });
    } finally {
      this.busy = false;
    }
  }

  private async requeueUnacknowledged(): Promise<number> {
    const overdue = await this.tasks.findUnacknowledged(new Date(Date.now() - this.opts.ackTimeoutMs));
    let n = 0;
    for (const t of overdue) {
      if (!(await this.claim('requeue', t))) continue;
      const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'pending' as const, error: 'assignment not acknowledged', at: new Date() };
      if (await this.tasks.requeue(t, ['assigned'], ended)) {
        n++;
        this.log.warn({ msg: 'assignment not acknowledged, re-queued', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId });
      }
    }
    return n;
  }

  private async abandonOrphans(): Promise<number> {
    const cutoff = Date.now() - this.opts.orphanGraceMs;
    const offline = (await this.nodes.list({ status: 'offline' })).filter((n) => !n.offlineAt || new Date(n.offlineAt).getTime() < cutoff);
    const orphans = await this.tasks.findActiveOnNodes(offline.map((n) => String(n._id)));
    let requeued = 0;
    for (const t of orphans) {
      if (!(await this.claim('abnormal', t))) continue;
      const error = `node ${t.nodeId} went offline while the task was ${t.status}`;
      if (t.attempt <= t.maxRetries) {
        const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'abnormal' as const, error, at: new Date() };
        if (await this.tasks.requeue(t, ACTIVE_STATUSES, ended)) {
          requeued++;
          this.log.warn({ msg: 'task abnormal, retrying', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId });
        }
      } else if (await this.tasks.end(t, ACTIVE_STATUSES, 'abnormal', error)) {
        this.log.warn({ msg: 'task abnormal', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId });
      }
    }
    return requeued;
  }

  private async enforceTimeouts(): Promise<void> {
    const now = Date.now();
    for (const t of await this.tasks.findRunningWithTimeout()) {
      const deadline = new Date(t.startedAt ?? t.createdAt).getTime() + t.timeoutSec * 1000 + TIMEOUT_ENFORCEMENT_SLACK_MS;
      if (now < deadline || !(await this.claim('timeout', t))) continue;
      const error = `timed out after ${t.timeoutSec} s (enforced by the master)`;
      if (await this.tasks.end(t, ['running'], 'error', error) && t.nodeId) {
        this.registry.send(t.nodeId, { cancel: { taskId: String(t._id), attempt: t.attempt, reason: error } });
      }
    }
  }

  private async expireUnservable(): Promise<void> {
    const candidates = await this.tasks.findPendingSelectedBefore(new Date(Date.now() - this.opts.pendingTimeoutMs));
    if (candidates.length === 0) return;
    const usable = new Set(
      (await this.nodes.list({ status: 'online' })).filter((n) => n.enabled && n.taskReady).map((n) => String(n._id)),
    );
    for (const t of candidates) {
      if (t.nodeIds.some((id) => usable.has(id)) || !(await this.claim('expire', t))) continue;
      const error = `selected nodes unavailable for ${this.opts.pendingTimeoutMs} ms: ${t.nodeIds.join(', ')}`;
      if (await this.tasks.end(t, ['pending'], 'error', error)) this.log.warn({ msg: 'pending task expired', taskId: String(t._id), error });
    }
  }

  private claim(what: string, t: TaskRecord): Promise<boolean> {
    return this.claims.tryClaim(`${what}:${String(t._id)}:${t.attempt}`, this.opts.replicaId);
  }
}
