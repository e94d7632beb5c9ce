import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { SpiderService } from '@crawlnest/sync';
import { TaskService } from '@crawlnest/task';
import { dedupHash, resultDocId } from '../dedup-key';
import { storableItem } from '../key-escape';
import { DedupSetting, defaultResultsCollection, SPIDER_ID_FIELD, STORED_AT_FIELD, TASK_ID_FIELD } from '../results.types';
import { KeyClaim, LedgerRecord, ResultMetaRepository } from './result-meta.repository';
import { ResultDoc, ResultStoreRepository } from './result-store.repository';
import { ResultsMetrics } from './results.metrics';
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

type Prepared = { seq: number; doc: ResultDoc; claimId?: string };

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

  constructor(
    private readonly tasks: TaskService,
    private readonly spiders: SpiderService,
    private readonly store: ResultStoreRepository,
    private readonly meta: ResultMetaRepository,
    private readonly metrics: ResultsMetrics,
    @Inject(RESULTS_MASTER_OPTIONS) private readonly opts: ResultsMasterOptions,
  ) {}

  async append(ref: AttemptRef, rawItems: ItemIn[]): Promise<AppendAnswer> {
    const items = rawItems.map((i) => ({ ...i, seq: Number(i.seq), tsMs: Number(i.tsMs) }));
    if (items.length === 0) return answer(0, 0, []);
    let task;
    try {
      task = await this.tasks.get(ref.taskId);
    } catch (err) {
      if (err instanceof NotFoundError) return stale('unknown task');
      throw err;
    }
    if (task.attempt !== ref.attempt) return stale(`attempt ${ref.attempt} is superseded by ${task.attempt}`);
    if (task.nodeId !== ref.nodeId) return stale('attempt belongs to another node');

    const ledgerId = `${ref.taskId}:${ref.attempt}:${items[0].seq}`;
    const done = await this.meta.findLedger(ledgerId);
    if (done) return answer(done.stored, done.duplicates, done.refusals);

    const spider = await this.spiders.require(task.spiderId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    const refused: { seq: number; reason: string }[] = [];
    let stored = 0;
    let duplicates = 0;
    const col = spider ? spider.resultsCollection || defaultResultsCollection(spider.name, String(spider._id)) : '';
    const prepared: Prepared[] = [];
    const storedAt = new Date();
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

    if (prepared.length) {
      const dedup = spider?.dedup ?? null;
      const { toInsert, overwrites, dupCount } = dedup ? await this.claim(prepared, ref, col) : { toInsert: prepared, overwrites: [], dupCount: 0 };
      duplicates = dupCount;
      const outcome = await this.store.insertAll(col, toInsert.map((p) => p.doc));
      outcome.forEach((err, i) => {
        if (err) refused.push({ seq: toInsert[i].seq, reason: `the database refused the item: ${err}` });
        else stored++;
      });
      if (dedup?.mode === 'overwrite') {
        for (const o of overwrites) {
          const { _id, ...rest } = o.doc;
          void _id;
          await this.store.replace(col, o.target, rest);
        }
      }
      await this.rememberFields(col, toInsert.filter((_, i) => !outcome[i]).map((p) => p.doc).concat(overwrites.map((o) => o.doc)));
    }

    refused.sort((a, b) => a.seq - b.seq);
    const ledger: LedgerRecord = {
      _id: ledgerId,
      tid: ref.taskId,
      sid: task.spiderId,
      col,
      attempt: ref.attempt,
      firstSeq: items[0].seq,
      lastSeq: items[items.length - 1].seq,
      stored,
      duplicates,
      rejected: refused.length,
      refusals: refused.slice(0, KEPT_REFUSALS),
      at: new Date(),
    };
    if (await this.meta.insertLedger(ledger)) {
      this.metrics.stored.inc(stored);
      this.metrics.duplicates.inc(duplicates);
      this.metrics.rejected.inc(refused.length);
    }
    return answer(stored, duplicates, ledger.refusals);
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
    return dedup ? { seq: it.seq, doc, claimId: `${col}:${dedupHash(item, dedup)}` } : { seq: it.seq, doc };
  }

  /**
   * Dedup: each item claims its key by a unique insert. The winner (or a resend of the winner)
   * is inserted; a loser is a duplicate, ignored or written over the winner's document.
   */
  private async claim(prepared: Prepared[], ref: AttemptRef, col: string) {
    const claims: KeyClaim[] = prepared.map((p) => ({ _id: p.claimId!, col, tid: ref.taskId, src: `${ref.taskId}:${ref.attempt}:${p.seq}`, doc: p.doc._id }));
    const outcome = await this.meta.claimKeys(claims);
    const lost = prepared.filter((_, i) => outcome[i] !== null);
    const holders = new Map((await this.meta.findClaims(lost.map((p) => p.claimId!))).map((c) => [c._id, c]));
    const toInsert: Prepared[] = [];
    const overwrites: { target: string; doc: ResultDoc }[] = [];
    let dupCount = 0;
    prepared.forEach((p, i) => {
      if (outcome[i] === null) return void toInsert.push(p);
      const holder = holders.get(p.claimId!);
      if (!holder) throw new Error(`dedup claim ${p.claimId} failed: ${outcome[i]}`);
      if (holder.src === claims[i].src) return void toInsert.push(p); // our own claim, from an earlier try
      dupCount++;
      overwrites.push({ target: holder.doc, doc: p.doc });
    });
    return { toInsert, overwrites, dupCount };
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
