/**
 * Calls made while an identical one is in flight share its answer (singleflight): fifty
 * task creates of one spider arriving together read the spider once. Each answer is one a
 * caller could have got on its own, since the shared call ran while every caller waited.
 */
export class SharedCalls<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  run(key: string, call: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

/**
 * Items handed in while a write is in flight go out together in the next write, one write at
 * a time: under a burst of creates the round trips per item fall with the burst's size, and a
 * lone item still goes out at once. A failed write fails every caller whose items it carried.
 */
export class BatchedWrites<I, O> {
  private waiting: { items: I[]; resolve: (out: O[]) => void; reject: (err: unknown) => void }[] = [];
  private busy = false;

  /** `write` answers one output per item, in order. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxItems = 1000,
  ) {}

  push(items: I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.waiting.length > 0) {
        const batch = [];
        let n = 0;
        while (this.waiting.length > 0 && (batch.length === 0 || n + this.waiting[0].items.length <= this.maxItems)) {
          const next = this.waiting.shift() as (typeof this.waiting)[number];
          n += next.items.length;
          batch.push(next);
        }
        try {
          const out = await this.write(batch.flatMap((b) => b.items));
          let at = 0;
          for (const b of batch) {
            b.resolve(out.slice(at, at + b.items.length));
            at += b.items.length;
          }
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
