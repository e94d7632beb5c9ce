import { Inject, Injectable } from '@nestjs/common';
import {
  BadInputError,
  ConflictError,
  ControlStreamRegistry,
  Label,
  labelsMatch,
  NodeCache,
  NodeRepository,
  NotFoundError,
} from '@crawlnest/node';
import { SpiderRepository } from '@crawlnest/sync';
import { ClaimRepository } from './claim.repository';
import { DispatcherService } from './dispatcher.service';
import { TaskLogRepository } from './task-log.repository';
import { ActivityBucket, HistoryFilter, TaskHistoryService } from './task-history.service';
import { NewTask, TaskRepository } from './task.repository';
import { ACTIVE_STATUSES, LogLineView, TaskMode, TaskRecord, TaskView, TERMINAL_STATUSES, toTaskView } from '../task.types';
import { NodeState, pendingReason } from '../pending-reason';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

export type CreateTaskInput = {
  spiderId: string;
  mode: TaskMode;
  nodeIds: string[];
  labels: Label[];
  cmd?: string;
  param?: string;
  env: Label[];
  priority: number;
  timeoutSec: number;
  /** Unset: the spider's grace (0 there too: the worker's default). */
  killGraceSec?: number;
  maxRetries: number;
  scheduleId?: string | null;
  scheduledFor?: Date | null;
  parentId?: string | null;
};

export type TaskStats = { tasks: Record<string, number>; stuckPending: number; oldestPendingAgeMs: number };
export type TaskListPage = { items: TaskView[]; total: number; totalExact: boolean; nextAfter: string | null };
export type LogPage = { lines: LogLineView[]; nextAfter: number; done: boolean };

/**
 * A create takes the spider (its version, command, kill grace) from a read at most this old on
 * this replica, the same bound the dispatcher applies to versions (dispatcher.service.ts). An
 * edit or upload through this replica drops the read (SpiderRepository.findRecent), so on one
 * replica a deploy followed by a create always runs the new files; through another replica it
 * reaches creates within this time. At 45 creates a second this was 1.8 reads per task.
 */
const SPIDER_READ_MS = 1000;

/** What the REST API does with tasks. */
@Injectable()
export class TaskService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly logLines: TaskLogRepository,
    private readonly claims: ClaimRepository,
    private readonly spiders: SpiderRepository,
    private readonly nodes: NodeRepository,
    private readonly nodeCache: NodeCache,
    private readonly registry: ControlStreamRegistry,
    private readonly dispatcher: DispatcherService,
    private readonly history: TaskHistoryService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  async create(input: CreateTaskInput): Promise<TaskView[]> {
    const spider = await this.spiders.findRecent(input.spiderId, SPIDER_READ_MS);
    if (!spider) throw new BadInputError(`spiderId: spider ${input.spiderId} does not exist`);
    const targets = await this.targets(input);
    const now = new Date();
    const base: NewTask = {
      spiderId: input.spiderId,
      spiderVersion: spider.version,
      cmd: input.cmd ?? spider.cmd,
      param: input.param ?? spider.param,
      mode: input.mode,
      nodeIds: [],
      labels: input.labels,
      env: input.env,
      priority: input.priority,
      status: 'pending',
      nodeId: null,
      attempt: 1,
      maxRetries: input.maxRetries,
      timeoutSec: input.timeoutSec,
      killGraceSec: input.killGraceSec ?? spider.killGraceSec ?? 0,
      exitCode: null,
      error: null,
      createdAt: now,
      assignedAt: null,
      ackedAt: null,
      startedAt: null,
      finishedAt: null,
      scheduleId: input.scheduleId ?? null,
      scheduledFor: input.scheduledFor ?? null,
      parentId: input.parentId ?? null,
      sync: null,
      attempts: [],
    };
    const docs = targets === null ? [base] : targets.map((nodeIds) => ({ ...base, nodeIds }));
    const created = await this.tasks.insertMany(docs);
    this.dispatcher.enqueue(created);
    return this.views(created);
  }

  async get(id: string): Promise<TaskView> {
    return (await this.views([await this.require(id)]))[0];
  }

  /** Newest first; `after` (a task id, from `nextAfter`) continues a walk, `page` skips from the top. */
  async list(filter: HistoryFilter, page: number, size: number, after?: string): Promise<TaskListPage> {
    const r = await this.history.list(filter, { page, size, after });
    return { items: await this.views(r.items), total: r.total, totalExact: r.totalExact, nextAfter: r.nextAfter };
  }

  async activity(minutes: number): Promise<ActivityBucket[]> {
    return this.history.activity(minutes);
  }

  /**
   * Task views, with the names of their nodes and the reason each pending one is waiting,
   * from the node cache (what `GET /api/nodes` shows: this replica's nodes live, others' as of
   * the last reload), not a read of four node collections per create or list.
   */
  private async views(tasks: TaskRecord[]): Promise<TaskView[]> {
    if (this.nodeCache.reloads === 0) await this.nodeCache.reload();
    const nodes: NodeState[] = this.nodeCache.all().map((n) => ({
      id: String(n._id),
      name: n.name,
      status: n.status,
      taskReady: n.taskReady,
      enabled: n.enabled,
      labels: n.labels,
    }));
    const names = new Map(nodes.map((n) => [n.id, n.name]));
    const now = Date.now();
    return tasks.map((t) => toTaskView(t, t.status === 'pending' ? pendingReason(t, nodes) : null, names, now));
  }

  async restart(id: string): Promise<TaskView[]> {
    const t = await this.require(id);
    return this.create({
      spiderId: t.spiderId,
      mode: t.mode === 'all-nodes' ? 'selected-nodes' : t.mode,
      nodeIds: t.nodeIds,
      labels: t.labels,
      cmd: t.cmd,
      param: t.param,
      env: t.env,
      priority: t.priority,
      timeoutSec: t.timeoutSec,
      killGraceSec: t.killGraceSec,
      maxRetries: t.maxRetries,
      parentId: String(t._id),
    });
  }

  /**
   * Pending: the attempt's claim is taken so no replica can assign it. Assigned or
   * running: the task is closed and the worker told to stop (directly when this replica
   * holds its stream, else by the stale-run check of the replica that does); the worker's
   * later reports for the attempt are refused.
   */
  async cancel(id: string): Promise<TaskView> {
    const reason = 'cancelled by user';
    const t = await this.require(id);
    if (TERMINAL_STATUSES.includes(t.status)) throw new ConflictError(`task ${id} is already ${t.status}`);
    if (t.status === 'pending' && (await this.claims.tryClaim(`${id}:${t.attempt}`, `cancel:${this.opts.replicaId}`))) {
      await this.tasks.end(t, ['pending'], 'cancelled', reason);
      return this.get(id);
    }
    const fresh = await this.require(id);
    if (TERMINAL_STATUSES.includes(fresh.status)) throw new ConflictError(`task ${id} is already ${fresh.status}`);
    await this.tasks.end(fresh, ['pending', ...ACTIVE_STATUSES], 'cancelled', reason);
    if (fresh.nodeId) this.registry.send(fresh.nodeId, { cancel: { taskId: id, attempt: fresh.attempt, reason } });
    return this.get(id);
  }

  /**
   * Follows a task's log: yields lines as they are stored, and ends once the task has
   * ended and every line was yielded. `closed()` lets the caller stop early.
   */
  async *follow(id: string, after: number, closed: () => boolean, pollMs = 250): AsyncGenerator<LogLineView | { end: string }> {
    let next = after;
    while (!closed()) {
      const page = await this.logs(id, next, 1000);
      for (const l of page.lines) yield l;
      next = page.nextAfter;
      if (page.done) {
        yield { end: (await this.require(id)).status };
        return;
      }
      if (page.lines.length === 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async logs(id: string, after: number, limit: number): Promise<LogPage> {
    const t = await this.require(id);
    const lines = await this.logLines.page(id, t.attempt, after, limit);
    const nextAfter = lines.length ? lines[lines.length - 1].seq : after;
    const ended = TERMINAL_STATUSES.includes(t.status);
    const done = ended && lines.length < limit;
    return {
      lines: lines.map((l) => ({
        seq: l.seq,
        ts: new Date(l.ts).toISOString(),
        stream: l.stream === 'stderr' ? 'stderr' : 'stdout',
        text: l.text,
      })),
      nextAfter,
      done,
    };
  }

  /** `spiderIds`: count only those spiders' tasks (absent: all). */
  async stats(spiderIds?: ReadonlySet<string>): Promise<TaskStats> {
    const { tasks, pendingAgesMs: ages } = await this.history.counts(spiderIds);
    return {
      tasks,
      stuckPending: ages.filter((a) => a > this.opts.stuckPendingMs).length,
      oldestPendingAgeMs: ages.length ? Math.max(...ages) : 0,
    };
  }

  private async require(id: string): Promise<TaskRecord> {
    const t = await this.tasks.findForView(id);
    if (!t) throw new NotFoundError('task', id);
    return t;
  }

  /** null: one task any matching node may take; otherwise one task per node-id list. */
  private async targets(input: CreateTaskInput): Promise<string[][] | null> {
    if (input.mode === 'random') return null;
    if (input.mode === 'selected-nodes') {
      if (input.nodeIds.length === 0) throw new BadInputError('nodeIds: required for mode selected-nodes');
      const found = await this.nodes.findByIds(input.nodeIds);
      const missing = input.nodeIds.filter((id) => !found.some((n) => String(n._id) === id));
      if (missing.length) throw new BadInputError(`nodeIds: unknown node ${missing.join(', ')}`);
      return [[...new Set(input.nodeIds)]];
    }
    const all = await this.nodes.list({ status: 'online' });
    const matching = all.filter((n) => n.enabled && labelsMatch(input.labels, n.labels));
    if (matching.length === 0) throw new BadInputError('mode: no online enabled node matches for all-nodes');
    return matching.map((n) => [String(n._id)]);
  }
}
