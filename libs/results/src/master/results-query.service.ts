import { Injectable } from '@nestjs/common';
import { BadInputError } from '@crawlnest/node';
import { SpiderService } from '@crawlnest/sync';
import { TaskService } from '@crawlnest/task';
import { DedupSetting, ResultCounts, SPIDER_ID_FIELD, TASK_ID_FIELD, ZERO_COUNTS } from '../results.types';
import { DedupBackfillService, DedupBackfillView } from './dedup-backfill.service';
import { ResultClaimsRepository } from './result-claims.repository';
import { ResultMetaRepository } from './result-meta.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';
import { ResultIngestService } from './result-ingest.service';

export type ResultPage = { items: Record<string, unknown>[]; total: number | null };
export type ResultFilter = { taskId?: string; field?: string; value?: string };

/**
 * Reads of stored results. Totals come from the batch ledgers (a count of the collection
 * would scan it on FerretDB); a page is the newest items by `_id`.
 */
@Injectable()
export class ResultsQueryService {
  constructor(
    private readonly tasks: TaskService,
    private readonly spiders: SpiderService,
    private readonly store: ResultStoreRepository,
    private readonly meta: ResultMetaRepository,
    private readonly ingest: ResultIngestService,
    private readonly claims: ResultClaimsRepository,
    private readonly backfill: DedupBackfillService,
  ) {}

  /**
   * Applies a spider change (`apply`) that may change its dedup setting: turning dedup on, or
   * changing its keys, queues the backfill that claims the keys of the items already stored
   * (docs/results.md). The job is queued before the setting is saved, so a batch that sees the new
   * keys sees the job running; if saving fails, the previous keys are claimed again.
   */
  async changeDedup<T>(spiderId: string, next: { dedup?: DedupSetting | null; resultsCollection?: string }, apply: () => Promise<T>): Promise<T> {
    const spider = await this.spiders.get(spiderId);
    if (!DedupBackfillService.needed(spider.dedup, next.dedup)) return apply();
    const total = (await this.countsOfSpiders([spiderId])).get(spiderId) ?? 0;
    await this.backfill.start(spiderId, next.resultsCollection ?? spider.resultsCollection, next.dedup, total);
    try {
      return await apply();
    } catch (err) {
      if (spider.dedup) await this.backfill.start(spiderId, spider.resultsCollection, spider.dedup, total);
      else await this.backfill.abandon(spiderId, `the change was refused: ${String(err)}`);
      throw err;
    }
  }

  /** The dedup backfill of each spider that had one (the last one). */
  backfillViews(spiderIds: string[]): Promise<Map<string, DedupBackfillView>> {
    return this.backfill.views(spiderIds);
  }

  async countsOfTasks(ids: string[]): Promise<Map<string, ResultCounts>> {
    const out = new Map<string, ResultCounts>(ids.map((id) => [id, { ...ZERO_COUNTS }]));
    if (!ids.length) return out;
    for (const l of await this.meta.ledgersOfTasks(ids)) {
      const c = out.get(l.tid);
      if (!c) continue;
      c.resultCount += l.stored;
      c.resultDuplicates += l.duplicates;
      c.resultErrors += l.rejected;
    }
    return out;
  }

  async countsOfSpiders(ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(ids.map((id) => [id, 0]));
    if (!ids.length) return out;
    for (const l of await this.meta.ledgersOfSpiders(ids)) out.set(l.sid, (out.get(l.sid) ?? 0) + l.stored);
    return out;
  }

  async taskPage(taskId: string, page: number, size: number): Promise<ResultPage> {
    const task = await this.tasks.get(taskId);
    const spider = await this.spiders.get(task.spiderId);
    const items = await this.store.page(spider.resultsCollection, { [TASK_ID_FIELD]: taskId }, (page - 1) * size, size);
    const total = (await this.countsOfTasks([taskId])).get(taskId)?.resultCount ?? 0;
    return { items: items.map(view), total };
  }

  async spiderPage(spiderId: string, f: ResultFilter, page: number, size: number): Promise<ResultPage> {
    const spider = await this.spiders.get(spiderId);
    const items = await this.store.page(spider.resultsCollection, this.filter(spiderId, f), (page - 1) * size, size);
    let total: number | null = null;
    if (!f.field && f.taskId) total = (await this.countsOfTasks([f.taskId])).get(f.taskId)?.resultCount ?? 0;
    else if (!f.field) total = (await this.countsOfSpiders([spiderId])).get(spiderId) ?? 0;
    return { items: items.map(view), total };
  }

  async fields(spiderId: string): Promise<string[]> {
    const spider = await this.spiders.get(spiderId);
    return this.meta.listFields(spider.resultsCollection);
  }

  /** The export's columns and a cursor over its documents (oldest first). */
  async exportSource(spiderId: string, taskId?: string) {
    const spider = await this.spiders.get(spiderId);
    const fields = await this.meta.listFields(spider.resultsCollection);
    return { spider, fields, cursor: this.store.cursor(spider.resultsCollection, this.filter(spiderId, { taskId })) };
  }

  async delete(spiderId: string, taskId?: string): Promise<{ deleted: number }> {
    const spider = await this.spiders.get(spiderId);
    const col = spider.resultsCollection;
    const deleted = await this.store.deleteMany(col, this.filter(spiderId, { taskId }));
    await this.meta.deleteLedgers(taskId ? { sid: spiderId, tid: taskId } : { sid: spiderId });
    if (taskId) await this.claims.releaseHeldBy(col, taskId);
    else await this.claims.deleteOfCollection(col);
    if (!taskId) {
      await this.meta.deleteFields(col);
      this.ingest.forgetFields(col);
    }
    return { deleted };
  }

  private filter(spiderId: string, f: ResultFilter): Record<string, unknown> {
    const q: Record<string, unknown> = { [SPIDER_ID_FIELD]: spiderId };
    if (f.taskId) q[TASK_ID_FIELD] = f.taskId;
    if (f.field !== undefined) {
      if (f.value === undefined) throw new BadInputError('value: required with field');
      q[f.field] = { $in: candidates(f.value) };
    }
    return q;
  }
}

/** A query string value may stand for a string, a number or a boolean in the items. */
function candidates(v: string): unknown[] {
  const out: unknown[] = [v];
  if (v.trim() !== '' && Number.isFinite(Number(v))) out.push(Number(v));
  if (v === 'true' || v === 'false') out.push(v === 'true');
  return out;
}

function view(d: ResultDoc): Record<string, unknown> {
  return d;
}
