/**
 * Unique inserts that arrive while one is in flight wait for it and then go together, in one
 * command (group commit): the first of a quiet spell goes at once, and a burst of task closes
 * takes one turn of FerretDB/SQLite's write lock per group instead of one per close. Each
 * caller learns whether its own document was inserted (false: its `_id` was there already).
 */
export class GroupInsert<T> {
  private queue: { doc: T; done: (inserted: boolean) => void; fail: (err: Error) => void }[] = [];
  private busy = false;

  constructor(
    private readonly write: (docs: T[]) => Promise<boolean[]>,
    private readonly maxDocs = 100,
  ) {}

  insert(doc: T): Promise<boolean> {
    return new Promise<boolean>((done, fail) => {
      this.queue.push({ doc, done, fail });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, this.maxDocs);
        try {
          const inserted = await this.write(group.map((g) => g.doc));
          group.forEach((g, i) => g.done(inserted[i]));
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          for (const g of group) g.fail(e);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
