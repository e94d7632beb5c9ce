import { randomBytes } from 'node:crypto';

/**
 * Bytes a log table takes before this replica starts a new one. A read looks up `_id`s in one
 * table, and on FerretDB such a lookup scans the table (~30 ms per MB), so the bound is what
 * keeps a page read cheap whatever else was logged in the hour.
 */
export const LOG_TABLE_BYTES = 256 * 1024;
/** Hours whose current table is remembered (a task logs into its creation hour, so few are live). */
const HOURS_KEPT = 64;

/**
 * Which log table of an hour this replica writes new strides into, and when to start the
 * next one. Each replica has its own tables (a random suffix, new after a restart too), so
 * the byte count needs no shared, read-then-write counter.
 */
export class LogTableRotation {
  private readonly current = new Map<string, { suffix: string; bytes: number }>();

  constructor(private readonly maxBytes = LOG_TABLE_BYTES) {}

  /** The table new strides of `hour` go to. */
  tableFor(hour: string): string {
    let t = this.current.get(hour);
    if (!t) {
      t = { suffix: randomBytes(5).toString('hex'), bytes: 0 };
      this.current.set(hour, t);
      if (this.current.size > HOURS_KEPT) this.current.delete(this.current.keys().next().value as string);
    }
    return t.suffix;
  }

  /** Counts bytes written into `suffix`; past the bound the hour gets a fresh table. */
  wrote(hour: string, suffix: string, bytes: number): void {
    const t = this.current.get(hour);
    if (!t || t.suffix !== suffix) return; // another replica's table (a stride it started): bounded by the stride
    t.bytes += bytes;
    if (t.bytes >= this.maxBytes) this.current.delete(hour);
  }
}
