import { SpillQueue } from './spill-queue';

export type ShipResult = { accepted: boolean; reason: string };

export type SeqShipperOptions<T> = {
  send: (batch: T[]) => Promise<ShipResult>;
  /** Items are sent in batches at most this far apart. */
  batchMs: number;
  /** The master refused the attempt: nothing more of it is wanted. */
  onRefused: (reason: string) => void;
  retryDelayMs: (attempt: number) => number;
  spillFile: string;
  maxBatchItems: number;
  /** A batch is one request (and a database write) on the master: keep it bounded. */
  maxBatchBytes: number;
  /** In-memory bounds; the rest waits in the spill file. */
  memoryItems: number;
  memoryBytes: number;
  sizeOf: (item: T) => number;
};

/**
 * Ships already-numbered items (log lines, results) in batches, retrying each batch, with the
 * same composition, until the master takes it; the master stores by sequence number, so a
 * resend after a lost reply never duplicates. Memory is bounded: past the memory limits the
 * queue spills to a file. `close()` resolves once every item is stored (or refused).
 */
export class SeqShipper<T> {
  private readonly queue: SpillQueue<T>;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;
  private refusedFlag = false;

  constructor(private readonly o: SeqShipperOptions<T>) {
    this.queue = new SpillQueue<T>(o.spillFile, o.memoryItems, o.memoryBytes, o.sizeOf);
  }

  get refused(): boolean {
    return this.refusedFlag;
  }

  push(item: T): void {
    if (this.refusedFlag) return;
    this.queue.push(item);
    if (this.queue.size >= this.o.maxBatchItems) this.flushSoon(0);
    else this.flushSoon(this.o.batchMs);
  }

  /** Ships everything still queued; resolves when all of it is stored (or refused). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.size > 0 || this.sending) {
      if (!this.sending) this.sending = this.drain();
      await this.sending;
    }
    this.queue.dispose();
  }

  private flushSoon(delay: number): void {
    if (this.timer || this.sending || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.drain();
    }, delay);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size > 0) {
        const batch = capBytes(this.queue.peek(this.o.maxBatchItems), this.o.maxBatchBytes, this.o.sizeOf);
        for (let attempt = 0; ; attempt++) {
          let res: ShipResult;
          try {
            res = await this.o.send(batch);
          } catch {
            await new Promise((r) => setTimeout(r, this.o.retryDelayMs(attempt)));
            continue;
          }
          if (!res.accepted) {
            this.queue.clear();
            this.refusedFlag = true;
            this.o.onRefused(res.reason);
            return;
          }
          break;
        }
        this.queue.drop(batch.length);
      }
    } finally {
      this.sending = undefined;
      if (this.queue.size > 0 && !this.closed) this.flushSoon(this.o.batchMs);
    }
  }
}

/** The longest prefix of `items` within `max` bytes (at least one item). */
function capBytes<T>(items: T[], max: number, sizeOf: (item: T) => number): T[] {
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    total += sizeOf(items[i]);
    if (total > max && i > 0) return items.slice(0, i);
  }
  return items;
}
