import { Logger } from '@nestjs/common';

/**
 * Gathers small writes made close together into one (an insertMany, a deleteMany): on the
 * embedded FerretDB/SQLite every write statement takes the database's one write lock, so a
 * hundred settled deliveries written as one batch cost task dispatch one lock, not a hundred.
 * `add` resolves once its item is written (or rejects with the batch's error).
 */
export class WriteBatcher<T> {
  private readonly log = new Logger(WriteBatcher.name);
  private items: { item: T; done: (err?: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxWaitMs = 25,
    private readonly maxItems = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push({ item, done: (err) => (err === undefined ? resolve() : reject(err instanceof Error ? err : new Error(String(err)))) });
      if (this.items.length >= this.maxItems) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.maxWaitMs);
    });
  }

  /** Writes what is waiting now; resolves once every batch started so far is written. */
  flush(): Promise<void> {
    this.flushNow();
    return this.flushing;
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.items;
    this.items = [];
    if (batch.length === 0) return;
    // One batch at a time: the next waits for the previous, so writes keep their order.
    this.flushing = this.flushing.then(async () => {
      try {
        await this.write(batch.map((b) => b.item));
        for (const b of batch) b.done();
      } catch (err) {
        this.log.warn({ msg: 'batched write failed', batch: this.name, items: batch.length, err: String(err) });
        for (const b of batch) b.done(err);
      }
    });
  }
}
