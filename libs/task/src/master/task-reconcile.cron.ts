import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry, NodeRecord, NodeRepository } from '@crawlnest/node';
import { DispatcherService } from './dispatcher.service';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { ACTIVE_STATUSES, TaskRecord } from '../task.types';

/** Extra time past a task's own timeout before the master enforces it (the worker normally does). */
const TIMEOUT_ENFORCEMENT_SLACK_MS = 15_000;

/**
 * The safety net, idempotent and safe on several replicas: every change it makes closes an
 * attempt, which the repository claims (`close:<taskId>:<attempt>`), so one replica makes it.
 * - assignments nobody acknowledged go back to pending as a new attempt;
 * - tasks of a node offline for longer than the orphan grace become `abnormal`, and are
 *   queued again while `attempt <= maxRetries`;
 * - running tasks far past their timeout (the worker could not enforce it) end in error;
 * - selected-nodes tasks whose targets stay unavailable past the pending timeout end in
 *   error with the reason.
 * One read of the open tasks per pass: on FerretDB every status query scans the collection.
 */
@Injectable()
export class TaskReconcileCron {
  private readonly log = new Logger(TaskReconcileCron.name);
  private busy = false;

  constructor(
    private readonly tasks: TaskRepository,
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
      const [open, nodes] = await Promise.all([this.tasks.findOpen(), this.nodes.list({})]);
      const now = Date.now();
      let requeued = 0;
      for (const t of open) {
        if (t.status === 'assigned' && !t.ackedAt && t.assignedAt && now - new Date(t.assignedAt).getTime() > this.opts.ackTimeoutMs) {
          requeued += await this.requeueUnacknowledged(t);
        }
      }
      requeued += await this.abandonOrphans(open, nodes, now);
      await this.enforceTimeouts(open, now);
      await this.expireUnservable(open, nodes, now);
      if (requeued > 0) this.dispatcher.kick();
    } catch (err) {
      this.log.warn({ msg: 'reconcile pass failed', err: String(err) });
    } finally {
      this.busy = false;
    }
  }

  private async requeueUnacknowledged(t: TaskRecord): Promise<number> {
    const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'pending' as const, error: 'assignment not acknowledged', at: new Date() };
    if (!(await this.tasks.requeue(t, ['assigned'], ended))) return 0;
    this.log.warn({ msg: 'assignment not acknowledged, re-queued', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId });
    return 1;
  }

  private async abandonOrphans(open: TaskRecord[], nodes: NodeRecord[], now: number): Promise<number> {
    const gone = new Set(
      nodes
        .filter((n) => n.status === 'offline' && (!n.offlineAt || now - new Date(n.offlineAt).getTime() > this.opts.orphanGraceMs))
        .map((n) => String(n._id)),
    );
    let requeued = 0;
    for (const t of open) {
      if (!t.nodeId || !gone.has(t.nodeId) || !ACTIVE_STATUSES.includes(t.status)) continue;
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

  private async enforceTimeouts(open: TaskRecord[], now: number): Promise<void> {
    for (const t of open) {
      if (t.status !== 'running' || t.timeoutSec <= 0) continue;
      const deadline = new Date(t.startedAt ?? t.createdAt).getTime() + t.timeoutSec * 1000 + TIMEOUT_ENFORCEMENT_SLACK_MS;
      if (now < deadline) continue;
      const error = `timed out after ${t.timeoutSec} s (enforced by the master)`;
      if ((await this.tasks.end(t, ['running'], 'error', error)) && t.nodeId) {
        this.registry.send(t.nodeId, { cancel: { taskId: String(t._id), attempt: t.attempt, reason: error } });
      }
    }
  }

  private async expireUnservable(open: TaskRecord[], nodes: NodeRecord[], now: number): Promise<void> {
    const usable = new Set(nodes.filter((n) => n.status === 'online' && n.enabled && n.taskReady).map((n) => String(n._id)));
    for (const t of open) {
      if (t.status !== 'pending' || t.mode === 'random') continue;
      if (now - new Date(t.createdAt).getTime() < this.opts.pendingTimeoutMs) continue;
      if (t.nodeIds.some((id) => usable.has(id))) continue;
      const error = `selected nodes unavailable for ${this.opts.pendingTimeoutMs} ms: ${t.nodeIds.join(', ')}`;
      if (await this.tasks.end(t, ['pending'], 'error', error)) this.log.warn({ msg: 'pending task expired', taskId: String(t._id), error });
    }
  }
}
