import { Injectable } from '@nestjs/common';
import { BadInputError } from '@crawlnest/node';
import { SpiderService } from '@crawlnest/sync';
import { TaskService } from '@crawlnest/task';
import { dedupHash } from '../dedup-key';
import { DedupSetting, ResultCounts, SPIDER_ID_FIELD, TASK_ID_FIELD, ZERO_COUNTS } from '../results.types';
import { DedupBackfillService, DedupBackfillView } from './dedup-backfill.service';
import { ResultClaimsRepository } from './result-claims.repository';
import { ResultDirectoryRepository, Scope } from './result-directory.repository';
import { ResultMetaRepository } from './result-meta.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';
import { ResultIngestService } from './result-ingest.service';

/**
 * A page. With a field filter that is not a dedup key, `partial` says the search stopped at its
 * time budget: `cursor` continues it (null: searched to the oldest item), `searched` items of
 * `of` were looked at so far (newest first).
 */
export type ResultPage = {
  items: Record<string, unknown>[];
  total: number | null;
  cursor?: string | null;
  searched?: number;
  of?: number;
  partial?: boolean;
};
export type ResultFilter = { taskId?: string; field?: string; value?: string; cursor?: string };

/** How long one request searches items for a field filter before answering with what it has. */
const SEARCH_BUDGET_MS = 700;

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
    private readonly directory: ResultDirectoryRepository,
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

  /**
   * The counts of a task's own batches, read by `_id` alone (FerretDB's one indexed read, where
   * `countsOfTasks` scans every ledger): an attempt numbers its items from 1 and ships them in
   * batches one after the other, and a batch's ledger is `<task>:<attempt>:<first seq>`, so
   * each attempt's ledgers chain from seq 1 to the previous one's `lastSeq + 1`. Items other
   * tasks took over later (overwrite) are not subtracted: the counts of a task as it ended.
   * Null when the chain is longer than `maxReads` (the caller reads `countsOfTasks`).
   */
  async countsOfEndedTask(taskId: string, attempts: number, maxReads = 32): Promise<ResultCounts | null> {
    const c = { ...ZERO_COUNTS };
    let reads = 0;
    for (let a = 1; a <= Math.max(1, attempts); a++) {
      for (let seq = 1; ; ) {
        if (++reads > maxReads) return null;
        const l = await this.meta.ledgerCounts(`${taskId}:${a}:${seq}`);
        if (!l) break;
        c.resultCount += l.stored;
        c.resultDuplicates += l.duplicates;
        c.resultErrors += l.rejected;
        seq = l.lastSeq + 1;
      }
    }
    return c;
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

  /**
   * A spider's or task's live item count (the ledgers') and whether its page marks may list
   * documents deleted since (an `overwrite` replaced them): then pages check each document.
   */
  private async tally(scope: Scope): Promise<{ total: number; holes: boolean }> {
    let total = 0;
    let holes = false;
    if (scope.kind === 't') {
      // A task's marks lose documents that another task took over (its negative ledgers) or that it replaced itself.
      for (const l of await this.meta.ledgersOfTasks([scope.id])) {
        total += l.stored;
        if (l.stored < 0 || (l.replacedOwn ?? 0) > 0) holes = true;
      }
    } else {
      for (const l of await this.meta.ledgersOfSpiders([scope.id])) {
        total += l.stored;
        if ((l.replaced ?? 0) > 0) holes = true;
      }
    }
    return { total, holes };
  }

  async taskPage(taskId: string, page: number, size: number): Promise<ResultPage> {
    const task = await this.tasks.get(taskId);
    const spider = await this.spiders.get(task.spiderId);
    const scope: Scope = { kind: 't', id: taskId };
    const { total, holes } = await this.tally(scope);
    const items = await this.newestOf(spider.resultsCollection, scope, { [TASK_ID_FIELD]: taskId }, page, size, total, holes);
    return { items: items.map(view), total };
  }

  async spiderPage(spiderId: string, f: ResultFilter, page: number, size: number): Promise<ResultPage> {
    const spider = await this.spiders.get(spiderId);
    const col = spider.resultsCollection;
    if (f.field === undefined) {
      const scope: Scope = f.taskId ? { kind: 't', id: f.taskId } : { kind: 's', id: spiderId };
      const { total, holes } = await this.tally(scope);
      const items = await this.newestOf(col, scope, this.filter(spiderId, f), page, size, total, holes);
      return { items: items.map(view), total };
    }
    const filter = this.filter(spiderId, f);
    const byKey = await this.byDedupKey(spiderId, spider, f);
    if (byKey) return { items: byKey.slice((page - 1) * size, page * size).map(view), total: byKey.length };
    const values = candidates(f.value ?? '');
    const field = f.field;
    const match = (d: ResultDoc) => d[SPIDER_ID_FIELD] === spiderId && (!f.taskId || d[TASK_ID_FIELD] === f.taskId) && values.some((v) => d[field] === v);
    const scope: Scope = f.taskId ? { kind: 't', id: f.taskId } : { kind: 's', id: spiderId };
    const cursor = f.cursor === undefined ? null : parseCursor(f.cursor);
    if (!(await this.directory.isFerretDb())) {
      // MongoDB walks the `_id` index newest first and filters as it goes: the database answers.
      const items = await this.store.page(col, filter, (page - 1) * size, size);
      return { items: items.map(view), total: null, cursor: null, partial: false };
    }
    const skip = cursor === null ? (page - 1) * size : 0;
    const found = await this.directory.search(col, scope, match, cursor, skip, size, SEARCH_BUDGET_MS);
    if (found.slots === 0) {
      // Nothing placed in the directory (items stored before page marks existed): the database filters.
      const items = await this.store.page(col, filter, (page - 1) * size, size);
      return { items: items.map(view), total: null, cursor: null, searched: 0, of: 0, partial: false };
    }
    const partial = found.next !== null && found.docs.length < size;
    return {
      items: found.docs.map(view),
      total: null,
      cursor: found.next === null ? null : String(found.next),
      searched: found.searched,
      of: found.slots,
      partial,
    };
  }

  /** A scope's page, newest first: through the page marks, or the old way for items stored before them. */
  private async newestOf(col: string, scope: Scope, filter: Record<string, unknown>, page: number, size: number, total: number, holes: boolean): Promise<ResultDoc[]> {
    const skip = (page - 1) * size;
    if (skip >= total) return [];
    const items = await this.directory.newest(col, scope, skip, size, total, holes);
    return items ?? this.store.page(col, filter, skip, size);
  }

  /**
   * A filter on a spider's single dedup key: the key's holder, read through its claim (`_id`
   * reads only), for each value the query string may stand for. Not used when a backfill kept
   * stored duplicates of a key (only one of them holds the claim).
   */
  private async byDedupKey(spiderId: string, spider: { dedup?: DedupSetting | null; resultsCollection: string }, f: ResultFilter): Promise<ResultDoc[] | null> {
    const dedup = spider.dedup;
    if (!dedup || dedup.keys.length !== 1 || dedup.keys[0] !== f.field) return null;
    const bf = (await this.backfill.views([spiderId])).get(spiderId);
    if (bf && (bf.status !== 'done' || bf.duplicates > 0)) return null;
    const out: ResultDoc[] = [];
    for (const v of candidates(f.value ?? '')) {
      const holder = await this.claims.holder(`${spider.resultsCollection}:${dedupHash({ [f.field]: v }, dedup)}`);
      if (!holder) continue;
      const [doc] = await this.directory.docs(spider.resultsCollection, [holder.doc]);
      if (doc && doc[SPIDER_ID_FIELD] === spiderId && (!f.taskId || doc[TASK_ID_FIELD] === f.taskId) && doc[f.field] === v) out.push(doc);
    }
    return out.sort((a, b) => (a._id < b._id ? 1 : -1));
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
    await this.directory.deleteOf(taskId ? { sid: spiderId, tid: taskId } : { sid: spiderId });
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

function parseCursor(c: string): number {
  const n = Number(c);
  if (!/^[0-9]+$/.test(c) || !Number.isSafeInteger(n)) throw new BadInputError('cursor: expected the cursor of a previous page');
  return n;
}

function view(d: ResultDoc): Record<string, unknown> {
  return d;
}
