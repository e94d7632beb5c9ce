import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ControlStreamRegistry, NodeRecord, NodeRepository, OnePass, orphanGraceFor } from '@crawlnest/node';
import { DispatcherService } from './dispatcher.service';
import { TaskRepository } from './task.repository';
import { ClaimRepository } from './claim.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { ACTIVE_STATUSES, nodeLabel, NodeNames, TaskRecord } from '../task.types';
import { UnheldRunDetector } from './worker-held-runs';
import { mayRetry } from '../retries';

/** Extra time past a task's own timeout before the master enforces it (the worker normally does). */
const TIMEOUT_ENFORCEMENT_SLACK_MS = 15_000;
/** Passes (1 s) between two sweeps for leftover close claims: a last resort (most leftovers are met by a retry), and each costs a claim lookup per active task. */
const LEFTOVER_SWEEP_EVERY = 15;
/** Share of the time reconcile reads may take when the database is slow (a scan of a big backlog). */
const MAX_READ_SHARE = 0.2;

/**
 * The safety net, idempotent and safe on several replicas: every change it makes closes an
 * attempt, which the repository claims (`close:<taskId>:<attempt>`), so one replica makes it.
 * - assignments nobody acknowledged go back to pending as a new attempt;
 * - tasks of a node offline for longer than the orphan grace become `abnormal`, and are
 *   queued again while a retry is left (retries.ts: handed-back attempts cost none);
 * - running tasks far past their timeout (the worker could not enforce it) end in error;
 * - selected-nodes tasks whose targets stay unavailable past the pending timeout end in
 *   error with the reason;
 * - leftovers of a crash between steps: a close claim whose change never landed is finished
 *   from its recorded intent; a task active on a worker (of this replica) that does not run
 *   it is declared abnormal and retried while retries allow.
 * One read of the active (assigned, running) tasks per pass; the pending ones come from the
 * dispatcher's in-memory pool (every change to them is a guarded close anyway), so a big
 * backlog is never re-read here. On FerretDB a status query still scans the collection:
 * passes are spaced so reads take at most a fifth of the time.
 */
@Injectable()
export class TaskReconcileCron implements OnModuleDestroy {
  private readonly log = new Logger(TaskReconcileCron.name);
  private readonly pass = new OnePass();
  /** Passes wait this long after a slow one, so reads take at most MAX_READ_SHARE of the time. */
  private nextPassAt = 0;
  private passes = 0;
  private readonly unheld: UnheldRunDetector;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly nodes: NodeRepository,
    private readonly registry: ControlStreamRegistry,
    private readonly dispatcher: DispatcherService,
    private readonly claims: ClaimRepository,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {
    this.unheld = new UnheldRunDetector(opts.ackTimeoutMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.pass.stop();
  }

  @Interval(1000)
  reconcile(): Promise<void> {
    if (Date.now() < this.nextPassAt) return Promise.resolve();
    return this.pass.run(() => this.reconcileOnce());
  }

  private async reconcileOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      const [active, nodes] = await Promise.all([this.tasks.findActive(), this.nodes.list({})]);
      const open = [...active, ...this.dispatcher.pendingKnown()];
      const now = Date.now();
      // Messages name nodes as people know them; the ids stay in the task's fields.
      const names: NodeNames = new Map(nodes.map((n) => [String(n._id), n.name]));
      let requeued = 0;
      for (const t of open) {
        if (t.status === 'assigned' && !t.ackedAt && t.assignedAt && now - new Date(t.assignedAt).getTime() > this.opts.ackTimeoutMs) {
          requeued += await this.requeueUnacknowledged(t);
        }
      }
      requeued += await this.abandonOrphans(open, nodes, names, now);
      requeued += await this.closeUnheldRuns(open, names, now);
      if (++this.passes % LEFTOVER_SWEEP_EVERY === 0) requeued += await this.finishLeftoverCloses(open);
      await this.enforceTimeouts(open, now);
      await this.expireUnservable(open, nodes, names, now);
      if (requeued > 0) this.dispatcher.kick();
    } catch (err) {
      this.log.warn({ msg: 'reconcile pass failed', err: String(err) });
    } finally {
      const took = Date.now() - startedAt;
      this.nextPassAt = Date.now() + took * (1 / MAX_READ_SHARE - 1);
    }
  }

  /**
   * Active attempts whose close was claimed but never applied (a crash between the steps)
   * and that nobody else will touch again: finished from the intent in their claim. One
   * claim lookup by `_id` per active task, bounded by the cluster's runner slots.
   */
  private async finishLeftoverCloses(open: TaskRecord[]): Promise<number> {
    let finished = 0;
    for (const t of open) {
      if (!ACTIVE_STATUSES.includes(t.status)) continue;
      if (await this.tasks.finishLeftoverClose(t)) {
        finished++;
        this.log.warn({ msg: 'finished a close interrupted between its steps', taskId: String(t._id), attempt: t.attempt });
      }
    }
    return finished;
  }

  /** Tasks the database places on a worker of this replica that the worker does not run. */
  private async closeUnheldRuns(open: TaskRecord[], names: NodeNames, now: number): Promise<number> {
    let requeued = 0;
    for (const t of this.unheld.unheld(open, (id) => this.registry.get(id), now)) {
      requeued += await this.abandon(t, `node ${nodeLabel(t.nodeId, names)} does not run this attempt (lost between steps or with its report)`);
    }
    return requeued;
  }

  /** Closes an attempt nobody runs: queued again while retries allow, else `abnormal`. */
  private async abandon(t: TaskRecord, error: string): Promise<number> {
    if (mayRetry(t)) {
      const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'abnormal' as const, error, at: new Date() };
      if (await this.tasks.requeue(t, ACTIVE_STATUSES, ended)) {
        this.log.warn({ msg: 'task abnormal, retrying', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId, error });
        return 1;
      }
    } else if (await this.tasks.end(t, ACTIVE_STATUSES, 'abnormal', error)) {
      this.log.warn({ msg: 'task abnormal', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId, error });
    }
    return 0;
  }

  private async requeueUnacknowledged(t: TaskRecord): Promise<number> {
    const ended = { attempt: t.attempt, nodeId: t.nodeId, status: 'pending' as const, error: 'assignment not acknowledged', at: new Date() };
    if (!(await this.tasks.requeue(t, ['assigned'], ended))) return 0;
    this.log.warn({ msg: 'assignment not acknowledged, re-queued', taskId: String(t._id), attempt: t.attempt, nodeId: t.nodeId });
    return 1;
  }

  private async abandonOrphans(open: TaskRecord[], nodes: NodeRecord[], names: NodeNames, now: number): Promise<number> {
    const gone = new Set(
      nodes
        .filter((n) => n.status === 'offline' && (!n.offlineAt || now - new Date(n.offlineAt).getTime() > orphanGraceFor(this.opts.orphanGraceMs, n.fenceMs, this.opts.nodeTimeoutMs)))
        .map((n) => String(n._id)),
    );
    let requeued = 0;
    for (const t of open) {
      if (!t.nodeId || !gone.has(t.nodeId) || !ACTIVE_STATUSES.includes(t.status)) continue;
      requeued += await this.abandon(t, `node ${nodeLabel(t.nodeId, names)} went offline while the task was ${t.status}`);
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

  private async expireUnservable(open: TaskRecord[], nodes: NodeRecord[], names: NodeNames, now: number): Promise<void> {
    const usable = new Set(nodes.filter((n) => n.status === 'online' && n.enabled && n.taskReady).map((n) => String(n._id)));
    for (const t of open) {
      if (t.status !== 'pending' || t.mode === 'random') continue;
      if (now - new Date(t.createdAt).getTime() < this.opts.pendingTimeoutMs) continue;
      if (t.nodeIds.some((id) => usable.has(id))) continue;
      const error = `selected nodes unavailable for ${this.opts.pendingTimeoutMs} ms: ${t.nodeIds.map((id) => nodeLabel(id, names)).join(', ')}`;
      // Its dispatch claim first, as a cancel does: a replica dispatching it right now keeps it,
      // and no dispatch can move it to `tasks` while it is being closed in the queue.
      if (!(await this.claims.tryClaim(`${String(t._id)}:${t.attempt}`, `expire:${this.opts.replicaId}`))) continue;
      if (await this.tasks.end(t, ['pending'], 'error', error)) this.log.warn({ msg: 'pending task expired', taskId: String(t._id), error });
    }
  }
}
