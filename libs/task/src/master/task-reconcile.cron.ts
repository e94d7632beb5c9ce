import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ClaimRepository } from './claim.repository';
import { DispatcherService } from './dispatcher.service';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

/**
 * Safety net, idempotent and safe on several replicas: assignments nobody acknowledged
 * go back to pending as a new attempt. Each re-queue is claimed, so one replica does it.
 */
@Injectable()
export class TaskReconcileCron {
  private readonly log = new Logger(TaskReconcileCron.name);
  private busy = false;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly claims: ClaimRepository,
    private readonly dispatcher: DispatcherService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  @Interval(1000)
  async reconcile(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const requeued = await this.requeueUnacknowledged();
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
      const id = String(t._id);
      if (!(await this.claims.tryClaim(`requeue:${id}:${t.attempt}`, this.opts.replicaId))) continue;
      if (await this.tasks.requeue(id, t.attempt, ['assigned'])) {
        n++;
        this.log.warn({ msg: 'assignment not acknowledged, re-queued', taskId: id, attempt: t.attempt, nodeId: t.nodeId });
      }
    }
    return n;
  }
}
