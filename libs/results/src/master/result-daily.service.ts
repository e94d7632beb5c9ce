import { Inject, Injectable, Logger } from '@nestjs/common';
import { ALL_SPIDERS, dayOf } from '@crawlnest/task';
import { ResultDailyDoc, ResultDailyRepository } from './result-daily.repository';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

/**
 * Items stored today (UTC), per spider and for all (`ALL_SPIDERS`): the overview's "items today".
 * Counted when a batch's ledger is first recorded (once per batch whatever the resends), kept in
 * memory and written behind, one write at a time, so ingest never waits on it.
 */
@Injectable()
export class ResultDailyService {
  private readonly log = new Logger(ResultDailyService.name);
  private readonly replicaId: string;
  private readonly docs = new Map<string, Promise<ResultDailyDoc>>();
  private readonly dirty = new Set<string>();
  private enlisted: Promise<void> | undefined;
  private writing = false;

  constructor(
    private readonly repo: ResultDailyRepository,
    @Inject(RESULTS_MASTER_OPTIONS) opts: ResultsMasterOptions,
  ) {
    this.replicaId = opts.replicaId ?? 'master';
  }

  /** A batch of `n` new items of this spider, stored now. */
  countStored(spiderId: string, n: number, nowMs = Date.now()): void {
    if (n <= 0) return;
    const day = dayOf(nowMs);
    for (const sid of [spiderId, ALL_SPIDERS]) {
      const id = ResultDailyRepository.id(sid, day, this.replicaId);
      void this.own(id, sid, day).then((doc) => {
        doc.items += n;
        this.dirty.add(id);
        this.flush();
      });
    }
    this.forgetOldDays(nowMs);
  }

  /** Items stored today by these spiders (or all), summed over the replicas: `_id` reads only. */
  async today(spiderIds: Iterable<string> | undefined, nowMs = Date.now()): Promise<number> {
    const day = dayOf(nowMs);
    const replicas = await this.repo.replicas();
    const ids = [...(spiderIds ?? [ALL_SPIDERS])].flatMap((sid) => replicas.map((r) => ResultDailyRepository.id(sid, day, r)));
    const docs = await Promise.all(ids.map((id) => this.repo.find(id)));
    return docs.reduce((sum, d) => sum + (d?.items ?? 0), 0);
  }

  /** This replica's document, read once (a restarted replica continues it). */
  private own(id: string, spiderId: string, day: string): Promise<ResultDailyDoc> {
    let doc = this.docs.get(id);
    if (!doc) {
      this.enlisted ??= this.repo.enlist(this.replicaId).catch((err: unknown) => {
        this.enlisted = undefined; // tried again by the next count
        this.log.warn({ msg: 'listing this replica for daily item counts failed', err: String(err) });
      });
      doc = this.repo.find(id).then((d) => d ?? { _id: id, spiderId, day, replicaId: this.replicaId, items: 0, at: new Date() });
      void doc.catch((err: unknown) => {
        this.docs.delete(id);
        this.log.warn({ msg: 'daily item count read failed', id, err: String(err) });
      });
      this.docs.set(id, doc);
    }
    return doc;
  }

  /** Only today's and yesterday's documents can still change: older ones leave memory. */
  private forgetOldDays(nowMs: number): void {
    const keep = new Set([dayOf(nowMs), dayOf(nowMs - 86_400_000)]);
    for (const id of this.docs.keys()) {
      if (!keep.has(id.split(':').at(-2) ?? '') && !this.dirty.has(id)) this.docs.delete(id);
    }
  }

  /** Writes the changed documents one after another; counts made meanwhile go out in the next round. */
  private flush(): void {
    if (this.writing || !this.dirty.size) return;
    this.writing = true;
    void (async () => {
      let failed = false;
      await this.enlisted;
      for (const id of [...this.dirty]) {
        this.dirty.delete(id);
        const doc = await this.docs.get(id)?.catch(() => undefined);
        if (!doc) continue;
        try {
          await this.repo.write(doc);
        } catch (err) {
          failed = true;
          this.dirty.add(id); // stays in memory and goes out with the next count
          this.log.warn({ msg: 'daily item count write failed', id, err: String(err) });
        }
      }
      this.writing = false;
      if (!failed) this.flush();
    })();
  }
}
