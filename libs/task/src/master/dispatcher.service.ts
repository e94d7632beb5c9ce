import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ControlStreamRegistry, labelsMatch, NodeRecord, NodeRepository } from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { ClaimRepository } from './claim.repository';
import { TaskRepository } from './task.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { commandLine, TaskRecord } from '../task.types';

const CANDIDATES_PER_QUERY = 50;

/**
 * Push dispatch. This replica assigns work only to nodes whose control stream it holds;
 * a pass runs when a task is created, a node becomes ready, a slot frees, and on a short
 * tick (tasks created on another replica). Passes never overlap within a replica, and each
 * assignment is an atomic claim, so replicas never hand one attempt out twice.
 */
@Injectable()
export class DispatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(DispatcherService.name);
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly onReady = () => this.kick();

  constructor(
    private readonly registry: ControlStreamRegistry,
    private readonly nodes: NodeRepository,
    private readonly tasks: TaskRepository,
    private readonly claims: ClaimRepository,
    private readonly spiders: SpiderRepository,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  onModuleInit(): void {
    this.registry.events.on('ready', this.onReady);
    this.timer = setInterval(() => this.kick(), this.opts.dispatchPollMs);
  }

  onModuleDestroy(): void {
    this.registry.events.off('ready', this.onReady);
    if (this.timer) clearInterval(this.timer);
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

  /** For shutdown and tests: resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (err) {
        this.log.warn({ msg: 'dispatch pass failed', err: String(err) });
      }
    } while (this.again);
  }

  private async pass(): Promise<void> {
    const ready = this.registry.readyNodeIds();
    if (ready.length === 0) return;
    const nodes = await this.nodes.findByIds(ready);
    for (const node of nodes) if (node.enabled) await this.fillNode(node);
  }

  private async fillNode(node: NodeRecord): Promise<void> {
    const nodeId = String(node._id);
    let free = node.maxRunners - (await this.tasks.countActiveOn(nodeId));
    while (free > 0) {
      const candidates = (await this.tasks.findPendingFor(nodeId, CANDIDATES_PER_QUERY)).filter((t) =>
        t.mode === 'random' ? labelsMatch(t.labels, node.labels) : t.nodeIds.includes(nodeId),
      );
      if (candidates.length === 0) return;
      let won = 0;
      for (const t of candidates) {
        if (free === 0) break;
        if (await this.assign(t, nodeId)) {
          free--;
          won++;
        }
      }
      if (won === 0) return; // every candidate went to another replica; the next pass sees fresh state
    }
  }

  private async assign(t: TaskRecord, nodeId: string): Promise<boolean> {
    const taskId = String(t._id);
    if (!(await this.claims.tryClaim(`${taskId}:${t.attempt}`, this.opts.replicaId))) return false;
    const spider = await this.spiders.findById(t.spiderId);
    if (!spider) {
      await this.tasks.update(taskId, t.attempt, ['pending'], {
        status: 'error',
        error: 'spider was deleted before the task could run',
        finishedAt: new Date(),
      });
      return false;
    }
    if (!(await this.tasks.markAssigned(taskId, t.attempt, nodeId, spider.version))) return false;
    const sent = this.registry.send(nodeId, {
      assignment: {
        taskId,
        attempt: t.attempt,
        spiderId: t.spiderId,
        spiderVersion: spider.version,
        command: commandLine(t.cmd, t.param),
        env: t.env,
        timeoutSec: t.timeoutSec,
      },
    });
    // Not sent: the stream just closed. The ack timeout re-queues the attempt.
    this.log.log({ msg: 'task assigned', taskId, attempt: t.attempt, nodeId, sent });
    return true;
  }
}
