import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { applyActivity, applyEnded, emptyCounts, ReplicaCounts, sumCounts } from '../task-counts';
import { TaskRecord } from '../task.types';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { TaskDailyService } from './task-daily.service';

const COLLECTION = 'task_counters';
/** `counting`: tasks counted whose archive insert may not have landed yet (see countEnded). */
type CounterDoc = ReplicaCounts & { _id: string; at: Date; counting?: string[] };

/**
 * Maintained counts of ended tasks (see task-counts.ts): this replica's own document in
 * `task_counters` is written by this replica only, whole, after each change, so the counts
 * are exact across replicas without an atomic $inc. Reading sums the small collection
 * (one document per replica that ever ran), never the history.
 */
@Injectable()
export class TaskCountersService {
  private readonly log = new Logger(TaskCountersService.name);
  private mine: ReplicaCounts | null = null;
  private loading: Promise<ReplicaCounts> | null = null;
  private queued: Promise<void> | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly counting = new Set<string>();

  constructor(
    @InjectConnection() private readonly conn: Connection,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
    private readonly daily: TaskDailyService,
  ) {}

  /**
   * A task this replica is closing, counted before its archive insert: the write carries the
   * task's id in `counting` until `settled`, so whoever replays a close cut by a crash between
   * the count and the insert can tell it was counted (wasCounted) and counts nothing twice.
   * Counting after the insert instead lost the count of a task whose replica died between them.
   */
  async countEnded(t: TaskRecord): Promise<void> {
    const c = await this.own();
    applyEnded(c, [t], 1);
    applyActivity(c, t.status, Date.now());
    this.counting.add(String(t._id));
    // The day's counts go with the same count (a replayed close is counted once, see above).
    await Promise.all([this.flush(), this.daily.countEnded(t)]);
  }

  /** The task's archive insert landed: its id leaves `counting` with the next write. */
  settled(taskId: string): void {
    this.counting.delete(taskId);
  }

  /** Whether some replica counted this task (its id is still in that replica's `counting`). */
  async wasCounted(taskId: string): Promise<boolean> {
    if (this.counting.has(taskId)) return true;
    return (await this.coll().countDocuments({ counting: taskId })) > 0;
  }

  /** Ended tasks stored in bulk by this process (bulk imports, the history benchmark). */
  async recordEndedMany(tasks: TaskRecord[]): Promise<void> {
    applyEnded(await this.own(), tasks, 1);
    await this.flush();
  }

  /** Retention on this replica removed these ended tasks. */
  async recordPurged(tasks: TaskRecord[]): Promise<void> {
    if (tasks.length === 0) return;
    applyEnded(await this.own(), tasks, -1);
    await this.flush();
  }

  /** Every replica's counts, summed. */
  async totals(): Promise<ReplicaCounts> {
    const docs = await this.coll().find({}).toArray();
    return sumCounts(docs);
  }

  private async own(): Promise<ReplicaCounts> {
    if (this.mine) return this.mine;
    // A replica restarted with the same CRAWLNEST_REPLICA_ID continues its own document.
    this.loading ??= this.coll()
      .findOne({ _id: this.opts.replicaId })
      .then((d) => {
        for (const id of d?.counting ?? []) this.counting.add(id); // a restart keeps what its predecessor was counting
        return (this.mine = d ? { ended: d.ended ?? {}, bySpider: d.bySpider ?? {}, byNode: d.byNode ?? {}, minutes: d.minutes ?? [] } : emptyCounts());
      })
      .finally(() => (this.loading = null));
    return this.loading;
  }

  /**
   * Writes the current counts; concurrent callers share one queued write, which starts
   * after the one in flight, so the last write always holds every change before it.
   */
  private flush(): Promise<void> {
    if (this.queued) return this.queued;
    const p = this.running.then(async () => {
      this.queued = null;
      const c = this.mine ?? emptyCounts();
      await this.coll().replaceOne({ _id: this.opts.replicaId }, { ...c, counting: [...this.counting], at: new Date() }, { upsert: true });
    });
    this.queued = p;
    this.running = p.catch((err: unknown) => {
      // The counts stay in memory and go out with the next write.
      this.log.warn({ msg: 'task counters write failed', err: String(err) });
    });
    return this.running;
  }

  private coll(): mongo.Collection<CounterDoc> {
    const db = this.conn.db;
    if (!db) throw new Error('database connection is not open');
    return db.collection<CounterDoc>(COLLECTION);
  }
}
