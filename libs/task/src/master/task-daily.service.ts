import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { ALL_SPIDERS, applyDay, dailyId, DayCounts, dayOf, emptyDay, lastDays, MAX_STAT_DAYS, sumDays } from '../task-daily';
import { TaskRecord } from '../task.types';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

const COLLECTION = 'task_daily';
/** The replicas' own count documents (TaskCountersService): their `_id`s are the replica ids. */
const REPLICAS = 'task_counters';
type DailyDoc = DayCounts & { _id: string; spiderId: string; day: string; replicaId: string; at: Date };

export type DayStats = DayCounts & { day: string };

/**
 * Ended tasks per spider per UTC day, for the Stats tab and the overview's "today". FerretDB's
 * updates read then write (an `$inc` from two replicas can lose one), so each replica keeps its
 * own document per spider and day (`<spiderId>:<day>:<replicaId>`), written whole by that replica
 * only, one write at a time. A read fetches days × replicas documents by `_id` (the only cheap
 * lookup there; on MongoDB the same `_id` reads) and sums them: no scan, no sort.
 */
@Injectable()
export class TaskDailyService {
  private readonly log = new Logger(TaskDailyService.name);
  private readonly docs = new Map<string, Promise<DailyDoc>>();
  private readonly dirty = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(
    @InjectConnection() private readonly conn: Connection,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  /** Counts a task this replica closed, in its spider's day and in the all-spiders day. */
  async countEnded(t: TaskRecord, nowMs = Date.now()): Promise<void> {
    const day = dayOf(t.finishedAt ? new Date(t.finishedAt).getTime() : nowMs);
    for (const spiderId of [t.spiderId, ALL_SPIDERS]) {
      const doc = await this.own(spiderId, day);
      applyDay(doc, t, nowMs);
      this.dirty.add(doc._id);
    }
    this.forgetOldDays(nowMs);
    await this.flush();
  }

  /** The last `days` days (oldest first) of one spider, or of all with ALL_SPIDERS. */
  async days(spiderId: string, days: number, nowMs = Date.now()): Promise<DayStats[]> {
    const n = Math.min(Math.max(1, Math.floor(days)), MAX_STAT_DAYS);
    const replicas = (await this.db().collection<{ _id: string }>(REPLICAS).find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    const coll = this.coll();
    return Promise.all(
      lastDays(nowMs, n).map(async (day) => {
        const found = await Promise.all(replicas.map((r) => coll.findOne({ _id: dailyId(spiderId, day, r) })));
        return { day, ...sumDays(found.filter((d): d is DailyDoc => d !== null)) };
      }),
    );
  }

  /** This replica's document of that spider and day, read once (a restarted replica continues it). */
  private own(spiderId: string, day: string): Promise<DailyDoc> {
    const id = dailyId(spiderId, day, this.opts.replicaId);
    let doc = this.docs.get(id);
    if (!doc) {
      doc = this.coll()
        .findOne({ _id: id })
        .then((d) => d ?? { _id: id, spiderId, day, replicaId: this.opts.replicaId, at: new Date(), ...emptyDay() });
      // A failed read is tried again by the next count.
      void doc.catch(() => this.docs.delete(id));
      this.docs.set(id, doc);
    }
    return doc;
  }

  /** Only today's and yesterday's documents can still change: older ones leave memory. */
  private forgetOldDays(nowMs: number): void {
    const keep = new Set([dayOf(nowMs), dayOf(nowMs - 86_400_000)]);
    for (const id of this.docs.keys()) {
      const day = id.split(':').at(-2) ?? '';
      if (!keep.has(day) && !this.dirty.has(id)) this.docs.delete(id);
    }
  }

  /**
   * Writes the changed documents in one command (a bulk of whole-document replaces), one write
   * at a time. Callers arriving while a write is in flight share the one queued after it, which
   * takes every document changed by then: under a stream of closes the writes per task fall
   * below one, and each caller still returns only once a write holding its change landed.
   */
  private flush(): Promise<void> {
    if (this.queued) return this.queued;
    const p = this.running.then(async () => {
      this.queued = null;
      const ids = [...this.dirty];
      this.dirty.clear();
      const docs = (await Promise.all(ids.map((id) => this.docs.get(id)))).filter((d): d is DailyDoc => d !== undefined);
      if (docs.length === 0) return;
      try {
        const at = new Date();
        await this.coll().bulkWrite(
          docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: { ...doc, at }, upsert: true } })),
          { ordered: false },
        );
      } catch (err) {
        // Stays in memory and goes out with the next write.
        for (const d of docs) this.dirty.add(d._id);
        this.log.warn({ msg: 'daily task counts write failed', ids: docs.map((d) => d._id), err: String(err) });
      }
    });
    this.queued = p;
    this.running = p.catch((err: unknown) => this.log.warn({ msg: 'daily task counts write failed', err: String(err) }));
    return this.running;
  }

  private coll(): mongo.Collection<DailyDoc> {
    return this.db().collection<DailyDoc>(COLLECTION);
  }

  private db(): mongo.Db {
    const db = this.conn.db;
    if (!db) throw new Error('database connection is not open');
    return db;
  }
}
