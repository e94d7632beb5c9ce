import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { SpiderService } from '@crawlnest/sync';
import { TaskService } from '@crawlnest/task';
import { dedupHash, resultDocId } from '../dedup-key';
import { storableItem } from '../key-escape';
import { DedupSetting, defaultResultsCollection, SPIDER_ID_FIELD, STORED_AT_FIELD, TASK_ID_FIELD } from '../results.types';
import { DedupBackfillService } from './dedup-backfill.service';
import { DedupStoreService, Prepared, StoreOutcome } from './dedup-store.service';
import { LedgerRecord, ResultMetaRepository } from './result-meta.repository';
import { ResultDirectoryRepository } from './result-directory.repository';
import { ResultDoc } from './result-store.repository';
import { ResultsMetrics } from './results.metrics';
import { ResultDailyService } from './result-daily.service';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

export type AttemptRef = { taskId: string; attempt: number; nodeId: string };
export type ItemIn = { seq: number; tsMs: number; json: string; error: string };
export type AppendAnswer = {
  accepted: boolean;
  reason: string;
  stored: number;
  duplicates: number;
  refused: { seq: number; reason: string }[];
};

const KEPT_REFUSALS = 50;
/** Fields of one collection remembered; past this, new ones are stored but not listed. */
const MAX_FIELDS = 2000;


/**
 * Stores a batch of one attempt's items exactly once. Items get deterministic `_id`s (dedup
 * claims too), so a batch resent after a lost reply or a master restart finds what the earlier
 * try stored and counts it the same way; the batch's counts are recorded last, in one unique
 * insert (the ledger), and only a first recording moves the metrics.
 */
@Injectable()
export class ResultIngestService {
  private readonly log = new Logger(ResultIngestService.name);
  private readonly knownFields = new Map<string, Set<string>>();
  /** Batches being stored on this replica: a resend that arrives meanwhile (the worker's call timed out) waits for it. */
  private readonly inFlight = new Map<string, Promise<AppendAnswer>>();

  constructor(
    private readonly tasks: TaskService,
    private readonly spiders: SpiderService,
    private readonly dedup: DedupStoreService,
    private readonly backfill: DedupBackfillService,
    private readonly meta: ResultMetaRepository,
    private readonly directory: ResultDirectoryRepository,
    private readonly metrics: ResultsMetrics,
    private readonly daily: ResultDailyService,
    @Inject(RESULTS_MASTER_OPTIONS) private readonly opts: ResultsMasterOptions,
  ) {}

  async append(ref: AttemptRef, rawItems: ItemIn[]): Promise<AppendAnswer> {
    if (!rawItems.length) return answer(0, 0, []);
    const key = `${ref.taskId}:${ref.attempt}:${Number(rawItems[0].seq)}:${rawItems.length}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.appendOnce(ref, rawItems).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async appendOnce(ref: AttemptRef, rawItems: ItemIn[]): Promise<AppendAnswer> {
    const items = rawItems.map((i) => ({ ...i, seq: Number(i.seq), tsMs: Number(i.tsMs) }));
    if (items.length === 0) return answer(0, 0, []);
    // Taken before the spider is read: a batch that read a dedup setting since replaced stores
    // its items with a time the backfill of the new setting covers.
    const storedAt = new Date();
    const ledgerId = `${ref.taskId}:${ref.attempt}:${items[0].seq}`;
    // The task and the batch's ledger in one round trip (a resend answers from its ledger).
    const [task, done] = await Promise.all([
      this.tasks.get(ref.taskId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      }),
      this.meta.findLedger(ledgerId),
    ]);
    if (!task) return stale('unknown task');
    if (task.attempt !== ref.attempt) return stale(`attempt ${ref.attempt} is superseded by ${task.attempt}`);
    if (task.nodeId !== ref.nodeId) return stale('attempt belongs to another node');
    if (done) return answer(done.stored, done.duplicates, done.refusals);

    const spider = await this.spiders.require(task.spiderId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    const refused: { seq: number; reason: string }[] = [];
    const col = spider ? spider.resultsCollection || defaultResultsCollection(spider.name, String(spider._id)) : '';
    const prepared: Prepared[] = [];
    for (const it of items) {
      if (it.error) refused.push({ seq: it.seq, reason: it.error });
      else if (!spider) refused.push({ seq: it.seq, reason: `spider ${task.spiderId} no longer exists` });
      else if (Buffer.byteLength(it.json) > this.opts.maxItemBytes)
        refused.push({ seq: it.seq, reason: `item larger than CRAWLNEST_MAX_ITEM_BYTES (${this.opts.maxItemBytes})` });
      else {
        const p = this.prepare(it, ref, task.spiderId, spider.dedup ?? null, col, storedAt);
        if ('reason' in p) refused.push({ seq: it.seq, reason: p.reason });
        else prepared.push(p);
      }
    }

    const dedup = spider?.dedup ?? null;
    let outcome: StoreOutcome = { stored: 0, duplicates: 0, refused: [], written: [], losses: [] };
    if (prepared.length) {
      if (dedup) await this.backfill.preclaim(task.spiderId, col, dedup, prepared.map((p) => p.item));
      if (!dedup) outcome = await this.dedup.storeAll(col, prepared);
      else if (dedup.mode === 'ignore') outcome = await this.dedup.storeIgnoring(col, ref, task.spiderId, prepared);
      else outcome = await this.dedup.storeOverwriting(col, ref, task.spiderId, prepared, ledgerId);
      refused.push(...outcome.refused);
      await this.rememberFields(col, outcome.written);
      // The batch's page mark and directory places, before its ledger: a page never counts
      // items it cannot reach (a resend after a crash places a batch once).
      await this.directory.place(ledgerId, col, task.spiderId, ref.taskId, outcome.written.map((d) => d._id));
    }

    refused.sort((a, b) => a.seq - b.seq);
    const base = { sid: task.spiderId, col, attempt: ref.attempt, firstSeq: items[0].seq, lastSeq: items[items.length - 1].seq, at: new Date() };
    // Items this batch took over from other tasks count against them: their own ledger entries,
    // written (idempotently) before this batch's ledger, which is the batch's last write.
    if (outcome.losses.length) {
      await this.meta.insertLedgers(
        outcome.losses.map((l) => ({ ...base, _id: `${ledgerId}>${l.tid}`, tid: l.tid, sid: l.sid, stored: -l.n, duplicates: 0, rejected: 0, refusals: [] })),
      );
    }
    const ledger: LedgerRecord = {
      ...base,
      _id: ledgerId,
      tid: ref.taskId,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      rejected: refused.length,
      refusals: refused.slice(0, KEPT_REFUSALS),
      replaced: outcome.replaced ?? 0,
      replacedOwn: outcome.replacedOwn ?? 0,
    };
    if (await this.meta.insertLedger(ledger)) {
      this.metrics.stored.inc(outcome.stored);
      this.daily.countStored(task.spiderId, outcome.stored);
      this.metrics.duplicates.inc(outcome.duplicates);
      this.metrics.rejected.inc(refused.length);
    }
    return answer(outcome.stored, outcome.duplicates, ledger.refusals);
  }

  private prepare(it: ItemIn, ref: AttemptRef, spiderId: string, dedup: DedupSetting | null, col: string, storedAt: Date): Prepared | { reason: string } {
    let item: Record<string, unknown>;
    try {
      item = JSON.parse(it.json) as Record<string, unknown>;
    } catch {
      return { reason: 'not valid JSON' };
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { reason: 'not a JSON object' };
    const doc: ResultDoc = {
      ...storableItem(item),
      _id: resultDocId(it.tsMs, ref.taskId, ref.attempt, it.seq),
      [TASK_ID_FIELD]: ref.taskId,
      [SPIDER_ID_FIELD]: spiderId,
      [STORED_AT_FIELD]: storedAt,
    };
    return dedup ? { seq: it.seq, doc, item, claimId: `${col}:${dedupHash(item, dedup)}` } : { seq: it.seq, doc, item };
  }

  /** Adds the top-level fields not seen before to the collection's field list. */
  private async rememberFields(col: string, docs: ResultDoc[]): Promise<void> {
    let known = this.knownFields.get(col);
    if (!known) {
      known = new Set(await this.meta.listFields(col));
      this.knownFields.set(col, known);
    }
    const fresh: string[] = [];
    for (const d of docs) {
      for (const k of Object.keys(d)) {
        if (known.has(k) || known.size + fresh.length >= MAX_FIELDS) continue;
        if (!fresh.includes(k)) fresh.push(k);
      }
    }
    if (!fresh.length) return;
    await this.meta.addFields(col, fresh);
    for (const f of fresh) known.add(f);
  }

  /** After a delete of all of a collection's results, its field list starts again. */
  forgetFields(col: string): void {
    this.knownFields.delete(col);
  }
}

function answer(stored: number, duplicates: number, refused: { seq: number; reason: string }[]): AppendAnswer {
  return { accepted: true, reason: '', stored, duplicates, refused };
}

function stale(reason: string): AppendAnswer {
  return { accepted: false, reason, stored: 0, duplicates: 0, refused: [] };
}
