import { Inject, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { backoffDelay } from '@crawlnest/node';
import { ResultCapture, ResultCaptureContext, ResultCaptureFactory, SeqShipper } from '@crawlnest/task';
import { parseResultLine } from '../result-line';
import { ResultsClient, WireItem } from './results.client';
import { RESULTS_WORKER_OPTIONS, ResultsWorkerOptions } from './results-worker.options';

/**
 * Items per batch. A batch is one page mark (its `_id`s) that page reads load whole: 1000 keeps
 * a mark ~45 KB. Batches of 5000 (tried 2026-12-06, docs/results.md) did not store measurably
 * faster on FerretDB and made deep page reads slower.
 */
const MAX_BATCH_ITEMS = 1000;
/** Far below the 8 MiB gRPC message limit, whatever the items. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MEMORY_ITEMS = 20_000;
const MEMORY_BYTES = 32 * 1024 * 1024;
/** A refusal explained in the log this many times per attempt; later ones are only counted. */
const LOGGED_REFUSALS = 100;

/** Takes result lines out of a task's stdout and ships their items to the master. */
@Injectable()
export class ResultCaptureService implements ResultCaptureFactory {
  constructor(
    private readonly client: ResultsClient,
    @Inject(RESULTS_WORKER_OPTIONS) private readonly opts: ResultsWorkerOptions,
  ) {}

  open(ctx: ResultCaptureContext): ResultCapture {
    return new AttemptResults(ctx, this.client, this.opts);
  }
}

/** One attempt's items: numbered from 1, refused ones included (the master counts them). */
class AttemptResults implements ResultCapture {
  private seq = 0;
  private sent = 0;
  private refusedHere = 0;
  private stored = 0;
  private duplicates = 0;
  private refusedThere = 0;
  private logged = 0;
  private readonly shipper: SeqShipper<WireItem>;

  constructor(
    private readonly ctx: ResultCaptureContext,
    client: ResultsClient,
    private readonly opts: ResultsWorkerOptions,
  ) {
    const ref = { taskId: ctx.taskId, attempt: ctx.attempt, nodeId: ctx.nodeId };
    this.shipper = new SeqShipper<WireItem>({
      send: async (batch) => {
        const r = await client.append(ref, batch);
        if (r.accepted) {
          this.stored += r.stored;
          this.duplicates += r.duplicates;
          // The answer lists every refusal of the batch; the ones refused here are explained already.
          const ownRefusals = new Set(batch.filter((i) => i.error).map((i) => i.seq));
          for (const x of r.refused) {
            if (ownRefusals.has(Number(x.seq))) continue;
            this.refusedThere++;
            this.explain(`[crawlnest] result #${x.seq} refused by the master: ${x.reason}`);
          }
        }
        return r;
      },
      batchMs: opts.batchMs,
      onRefused: ctx.onRefused,
      retryDelayMs: (n) => backoffDelay(n, 100, 2000),
      spillFile: join(ctx.workspace, 'result-spill', `${ctx.taskId}-${ctx.attempt}.jsonl`),
      maxBatchItems: MAX_BATCH_ITEMS,
      maxBatchBytes: MAX_BATCH_BYTES,
      memoryItems: MEMORY_ITEMS,
      memoryBytes: MEMORY_BYTES,
      sizeOf: (i) => i.json.length + i.error.length + 32,
    });
  }

  offer(line: string): boolean {
    const items = parseResultLine(line);
    if (!items) return false;
    for (const item of items) {
      if ('error' in item) this.refuse(item.error);
      else if (Buffer.byteLength(item.json) > this.opts.maxItemBytes)
        this.refuse(`item of ${Buffer.byteLength(item.json)} bytes is larger than CRAWLNEST_MAX_ITEM_BYTES (${this.opts.maxItemBytes})`);
      else this.ship(item.json, '');
    }
    return true;
  }

  refuseOverlong(bytes: number): void {
    this.refuse(`result line of ${bytes} bytes is longer than CRAWLNEST_MAX_RESULT_LINE_BYTES; its items are not stored`);
  }

  async close(): Promise<void> {
    await this.shipper.close();
    if (this.sent === 0) return;
    this.ctx.log(
      `[crawlnest] results: ${this.sent} items read, ${this.stored} stored, ${this.duplicates} duplicates, ${this.refusedHere + this.refusedThere} refused`,
    );
  }

  tally(): ReturnType<ResultCapture['tally']> {
    return { stored: this.stored, duplicates: this.duplicates, rejected: this.refusedHere + this.refusedThere };
  }

  private refuse(reason: string): void {
    this.refusedHere++;
    const seq = this.ship('', reason);
    this.explain(`[crawlnest] result #${seq} refused: ${reason}`);
  }

  private ship(json: string, error: string): number {
    const seq = ++this.seq;
    this.sent++;
    this.shipper.push({ seq, tsMs: Date.now(), json, error });
    return seq;
  }

  private explain(text: string): void {
    if (this.logged++ < LOGGED_REFUSALS) this.ctx.log(text);
    else if (this.logged === LOGGED_REFUSALS + 1) this.ctx.log(`[crawlnest] more refused results: only counted from here on`);
  }
}
