import { Inject, Injectable, Logger } from '@nestjs/common';
import { NodeCache } from '@crawlnest/node';
import { DEFAULT_PROJECT_ID, SpiderRepository } from '@crawlnest/sync';
import { TaskService } from '@crawlnest/task';
import { ResultsQueryService } from '@crawlnest/results';
import type { NotifyEvent } from '../notify.types';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';

const LOG_PAGE = 1000;
/** Lines read at most to count error lines and take the tail: a huge log is judged on its first 20k lines. */
const LOG_READ_CAP = 20_000;
const TAIL = 20;
const SPIDER_CACHE_MS = 5000;

/** The fields of a task an event is built from (an ended task's outbox snapshot, or a monitor's view). */
export type TaskFacts = {
  _id: unknown;
  spiderId: string;
  attempt: number;
  status: string;
  nodeId: string | null;
  exitCode: number | null;
  error: string | null;
  createdAt: Date | string;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
  scheduleId: string | null;
  /** The ending attempt's items as its worker was answered (absent on monitors' views and older facts). */
  attemptResults?: { stored: number; rejected: number } | null;
};

type Counts = { resultCount: number; resultErrors: number };

/**
 * A task's counts known from its fact alone: a first attempt whose Finished report carried
 * its items' answers (those are its batch ledgers' counts). A later attempt's task also holds
 * what earlier attempts stored, which only the ledgers know.
 */
export function countsInFact(t: Pick<TaskFacts, 'attempt' | 'attemptResults'>): Counts | null {
  if (t.attempt !== 1 || !t.attemptResults) return null;
  return { resultCount: t.attemptResults.stored, resultErrors: t.attemptResults.rejected };
}

export type LogFacts = { tail: string[]; lines: { stream: string; text: string }[] };

/** Reads the facts a message carries: names, counts, log lines, the spider's previous runs. */
@Injectable()
export class EventFactsService {
  private readonly log = new Logger(EventFactsService.name);
  /** Counts read for a whole fan-out pass at once (by `_id`, in parallel; one scan for tasks with many batches); taken once each. */
  private readonly prefetched = new Map<string, { resultCount: number; resultErrors: number }>();
  /**
   * Spider names and projects, kept briefly: a burst of facts of one spider reads it once. The
   * read itself is kept (not its answer), so the facts of a pass, built concurrently, share one
   * read instead of each missing the cache at once.
   */
  private readonly spiderCache = new Map<string, { at: number; v: Promise<{ name: string | null; projectId: string | null }> }>();

  constructor(
    private readonly tasks: TaskService,
    private readonly spiders: SpiderRepository,
    private readonly nodes: NodeCache,
    private readonly results: ResultsQueryService,
    @Inject(NOTIFY_MASTER_OPTIONS) private readonly opts: NotifyMasterOptions,
  ) {}

  link(path: string): string {
    return this.opts.publicUrl.replace(/\/+$/, '') + path;
  }

  async spider(spiderId: string | null): Promise<{ name: string | null; projectId: string | null }> {
    if (!spiderId) return { name: null, projectId: null };
    const hit = this.spiderCache.get(spiderId);
    if (hit && Date.now() - hit.at < SPIDER_CACHE_MS) return hit.v;
    // A spider without projectId is in the default project (as the access checks say); a failed read names nothing.
    const v = this.spiders.findById(spiderId).then(
      (s) => ({ name: s?.name ?? null, projectId: s ? (s.projectId ?? DEFAULT_PROJECT_ID) : null }),
      () => ({ name: null, projectId: null }),
    );
    if (this.spiderCache.size > 1000) this.spiderCache.clear();
    this.spiderCache.set(spiderId, { at: Date.now(), v });
    return v;
  }

  /**
   * Called once per fan-out pass (passes do not overlap): what the previous pass left unused goes.
   * Tasks whose fact carries their counts read nothing.
   */
  async prefetchCounts(facts: TaskFacts[]): Promise<void> {
    this.prefetched.clear();
    const tasks = facts.filter((t) => !countsInFact(t)).map((t) => ({ id: String(t._id), attempt: t.attempt }));
    const counts = await Promise.all(tasks.map(async (t) => [t.id, await this.countsByIds(t.id, t.attempt)] as const));
    for (const [id, c] of counts) if (c) this.prefetched.set(id, c);
    // Tasks with too many batches to read one by one: one ledger scan for all of them.
    const long = counts.filter(([, c]) => c === null).map(([id]) => id);
    if (long.length === 0) return;
    const scanned = await this.results.countsOfTasks(long).catch((err: unknown) => {
      this.log.warn({ msg: 'result counts not prefetched', err: String(err) });
      return new Map<string, { resultCount: number; resultErrors: number }>();
    });
    for (const [id, c] of scanned) this.prefetched.set(id, { resultCount: c.resultCount, resultErrors: c.resultErrors });
  }

  /** A task's counts read by `_id` (its batches' ledgers); null when it has too many batches or the read failed. */
  private async countsByIds(taskId: string, attempt: number): Promise<{ resultCount: number; resultErrors: number } | null> {
    const c = await this.results.countsOfEndedTask(taskId, attempt).catch((err: unknown) => {
      this.log.warn({ msg: 'result counts not read by id', taskId, err: String(err) });
      return null;
    });
    return c ? { resultCount: c.resultCount, resultErrors: c.resultErrors } : null;
  }

  nodeName(nodeId: string | null): string | null {
    return nodeId ? (this.nodes.get(nodeId)?.name ?? null) : null;
  }

  async resultCounts(t: TaskFacts): Promise<Counts> {
    const known = countsInFact(t);
    if (known) return known;
    const taskId = String(t._id);
    const attempt = t.attempt;
    const pre = this.prefetched.get(taskId);
    if (pre) {
      this.prefetched.delete(taskId);
      return pre;
    }
    const byIds = await this.countsByIds(taskId, attempt);
    if (byIds) return byIds;
    const c = (await this.results.countsOfTasks([taskId])).get(taskId);
    return { resultCount: c?.resultCount ?? 0, resultErrors: c?.resultErrors ?? 0 };
  }

  /** Item counts of the spider's previous finished runs, newest first (the median rule's base). */
  async previousCounts(spiderId: string, excludeTaskId: string, runs: number): Promise<number[]> {
    const page = await this.tasks.list({ spiderId, status: 'finished' }, 1, runs + 1);
    const prev = page.items.filter((t) => t.id !== excludeTaskId).slice(0, runs);
    const byIds = await Promise.all(prev.map((t) => this.countsByIds(t.id, t.attempt)));
    const long = prev.filter((_, i) => byIds[i] === null).map((t) => t.id);
    const scanned = long.length ? await this.results.countsOfTasks(long) : new Map<string, { resultCount: number }>();
    return prev.map((t, i) => byIds[i]?.resultCount ?? scanned.get(t.id)?.resultCount ?? 0);
  }

  async logs(taskId: string): Promise<LogFacts> {
    const lines: { stream: string; text: string }[] = [];
    try {
      let after = 0;
      while (lines.length < LOG_READ_CAP) {
        const page = await this.tasks.logs(taskId, after, LOG_PAGE);
        lines.push(...page.lines.map((l) => ({ stream: l.stream, text: l.text })));
        if (page.lines.length < LOG_PAGE) break;
        after = page.nextAfter;
      }
    } catch (err) {
      this.log.warn({ msg: 'task log not read for a notification', taskId, err: String(err) });
    }
    return { lines, tail: lines.slice(-TAIL).map((l) => l.text.slice(0, 500)) };
  }

  /** The task part of an event, from the task as it was recorded at its close (or by a monitor). */
  async taskEvent(t: TaskFacts, base: Pick<NotifyEvent, 'id' | 'type' | 'at'>, extra: Partial<NotifyEvent> = {}): Promise<NotifyEvent> {
    const taskId = String(t._id);
    const [spider, counts] = await Promise.all([this.spider(t.spiderId), this.resultCounts(t)]);
    const started = t.startedAt ? new Date(t.startedAt).getTime() : null;
    const ended = t.finishedAt ? new Date(t.finishedAt).getTime() : null;
    return {
      ...base,
      projectId: spider.projectId,
      task: {
        id: taskId,
        attempt: t.attempt,
        status: t.status,
        spiderId: t.spiderId,
        spiderName: spider.name,
        nodeId: t.nodeId ?? null,
        nodeName: this.nodeName(t.nodeId ?? null),
        exitCode: t.exitCode ?? null,
        error: t.error ?? null,
        createdAt: new Date(t.createdAt).toISOString(),
        startedAt: t.startedAt ? new Date(t.startedAt).toISOString() : null,
        finishedAt: t.finishedAt ? new Date(t.finishedAt).toISOString() : null,
        durationMs: started !== null ? (ended ?? Date.now()) - started : null,
        ...counts,
        scheduleId: t.scheduleId ?? null,
      },
      links: { task: this.link(`/tasks/${taskId}`), spider: this.link(`/spiders/${t.spiderId}`) },
      ...extra,
    };
  }
}
