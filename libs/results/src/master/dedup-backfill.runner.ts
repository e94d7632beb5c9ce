import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { NotFoundError, OnePass } from '@crawlnest/node';
import { SpiderService } from '@crawlnest/sync';
import { storedKeyName } from '../dedup-key';
import { DedupSetting } from '../results.types';
import { BackfillRecord, DedupBackfillRepository } from './dedup-backfill.repository';
import { claimOfStored } from './dedup-backfill.service';
import { ResultClaimsRepository } from './result-claims.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

const TICK_MS = 2000;
/** A lease covers one slot of this length; its holder stops (or takes the next slot) before it ends. */
const SLOT_MS = 15_000;
/** A job whose spider does not show its keys this long after it was queued was superseded (its PATCH failed). */
const SETTLE_MS = 30_000;
/** The last pass reclaims items stored this long before the scan's bound (a batch in flight when dedup changed). */
const IN_FLIGHT_MS = 60_000;
const PROGRESS_LOG_MS = 5000;

/**
 * Runs dedup backfills: every replica looks for running jobs; the one that inserts the lease of
 * the current time slot (a unique insert) runs the job during that slot, and takes the next slot
 * itself while it is still busy. A replica that dies holding a slot leaves it to the next slot's
 * winner, which resumes after the last `_id` saved. Claims are idempotent, so a step redone after
 * a crash claims nothing twice and counts its duplicates once (progress is saved after each step).
 */
@Injectable()
export class DedupBackfillRunner implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(DedupBackfillRunner.name);
  private timer: NodeJS.Timeout | undefined;
  private readonly pass = new OnePass();

  constructor(
    private readonly jobs: DedupBackfillRepository,
    private readonly claims: ResultClaimsRepository,
    private readonly store: ResultStoreRepository,
    private readonly spiders: SpiderService,
    @Inject(RESULTS_MASTER_OPTIONS) private readonly opts: ResultsMasterOptions,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pass.stop();
  }

  private tick(): void {
    void this.pass.run(() => this.runAll().catch((err: unknown) => this.log.warn({ msg: 'dedup backfill tick failed', err: String(err) })));
  }

  private async runAll(): Promise<void> {
    for (const job of await this.jobs.running()) {
      const slot = Math.floor(Date.now() / SLOT_MS);
      if (!(await this.jobs.takeLease(job._id, job.run, slot, this.replica))) continue;
      try {
        await this.run(job, slot);
      } catch (err) {
        this.log.warn({ msg: 'dedup backfill step failed, retried at the next slot', spiderId: job._id, err: String(err) });
      }
    }
  }

  private get replica(): string {
    return this.opts.replicaId ?? `pid-${process.pid}`;
  }

  private async run(job: BackfillRecord, slot: number): Promise<void> {
    let deadline = (slot + 1) * SLOT_MS - 1000;
    const spider = await this.spiders.require(job._id).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    if (!spider) return void (await this.finish(job, 'failed', 'the spider was deleted'));
    const keys = spider.dedup?.keys ?? [];
    if (keys.length !== job.keys.length || keys.some((k, i) => k !== job.keys[i])) {
      if (Date.now() - new Date(job.createdAt).getTime() > SETTLE_MS) await this.finish(job, 'superseded', 'the spider no longer has these dedup keys');
      return;
    }
    const dedup: DedupSetting = { keys: job.keys, mode: spider.dedup!.mode };
    const resumed = job.startedAt !== null;
    if (!job.until) {
      job.until = new Date();
      job.startedAt = new Date();
      if (!(await this.jobs.save(job))) return;
    }
    this.log.log({ msg: resumed ? 'dedup backfill resumed' : 'dedup backfill started', spiderId: job._id, collection: job.col, keys: job.keys, scanned: job.scanned, total: job.total, after: job.after });
    const fields = job.keys.map(storedKeyName);
    const batch = this.opts.dedupBackfillBatch ?? 500;
    const cursor = this.store.storedUntil(job.col, job._id, new Date(job.until), job.after, fields);
    let lastLog = Date.now();
    try {
      let chunk: ResultDoc[] = [];
      for await (const d of cursor) {
        chunk.push(d);
        if (chunk.length < batch) continue;
        if (!(await this.step(job, dedup, chunk))) return;
        chunk = [];
        if (Date.now() - lastLog > PROGRESS_LOG_MS) {
          lastLog = Date.now();
          this.log.log({ msg: 'dedup backfill progress', spiderId: job._id, scanned: job.scanned, total: job.total, duplicates: job.duplicates });
        }
        if (this.pass.stopping) return;
        if (Date.now() > deadline) {
          if (!(await this.jobs.takeLease(job._id, job.run, slot + 1, this.replica))) return;
          slot++;
          deadline += SLOT_MS;
        }
      }
      if (chunk.length && !(await this.step(job, dedup, chunk))) return;
    } finally {
      await cursor.close();
    }
    await this.reclaimInFlight(job, dedup, fields);
    await this.finish(job, 'done', null);
  }

  /** Claims one chunk's keys, then saves the progress; false when the run was replaced. */
  private async step(job: BackfillRecord, dedup: DedupSetting, chunk: ResultDoc[]): Promise<boolean> {
    const claims = chunk.map((d) => claimOfStored(job.col, dedup, d));
    const outcome = await this.claims.claimFirst(claims);
    const lost = claims.filter((_, i) => outcome[i] !== null);
    const holders = new Map((await this.claims.findClaims([...new Set(lost.map((c) => c._id))])).map((h) => [h._id, h]));
    // A key held by another document: this one is a duplicate among the items already stored (kept).
    const duplicates = lost.filter((c) => holders.get(c._id)?.doc !== c.doc).length;
    job.scanned += chunk.length;
    job.duplicates += duplicates;
    job.after = chunk[chunk.length - 1]._id;
    return this.jobs.save(job);
  }

  /**
   * Items of a batch that read the old setting and was still being stored when the scan read the
   * collection may be missing from it (FerretDB reads a snapshot): claimed here, not counted again.
   */
  private async reclaimInFlight(job: BackfillRecord, dedup: DedupSetting, fields: string[]): Promise<void> {
    const until = new Date(job.until!);
    const cursor = this.store.storedBetween(job.col, job._id, new Date(until.getTime() - IN_FLIGHT_MS), until, fields);
    try {
      let chunk: ResultDoc[] = [];
      for await (const d of cursor) {
        chunk.push(d);
        if (chunk.length >= 500) {
          await this.claims.claimFirst(chunk.map((x) => claimOfStored(job.col, dedup, x)));
          chunk = [];
        }
      }
      if (chunk.length) await this.claims.claimFirst(chunk.map((x) => claimOfStored(job.col, dedup, x)));
    } finally {
      await cursor.close();
    }
  }

  private async finish(job: BackfillRecord, status: BackfillRecord['status'], error: string | null): Promise<void> {
    job.status = status;
    job.error = error;
    job.finishedAt = new Date();
    if (!(await this.jobs.save(job))) return;
    await this.jobs.dropLeases(job._id);
    this.log.log({ msg: `dedup backfill ${status}`, spiderId: job._id, scanned: job.scanned, total: job.total, duplicates: job.duplicates, error });
  }
}
