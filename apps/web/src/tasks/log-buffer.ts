import type { LogLine } from '../api/types';

/**
 * The lines of one task's log held in the browser. Lines arrive one event at a time (up to
 * hundreds of thousands); the buffer takes them in batches so the view re-renders once per
 * frame, not once per line, and drops what it already has (a reconnect resumes at the last
 * seq, but a retried request may repeat some).
 */
export class LogBuffer {
  private readonly items: LogLine[] = [];
  private pending: LogLine[] = [];
  private last = 0;

  get lastSeq(): number {
    return this.last;
  }

  get length(): number {
    return this.items.length;
  }

  get lines(): readonly LogLine[] {
    return this.items;
  }

  /** Queues a line; nothing is visible until `flush`. */
  add(line: LogLine): void {
    if (line.seq <= this.last) return;
    this.last = line.seq;
    this.pending.push(line);
  }

  /** Moves the queued lines into view; returns how many came in. */
  flush(): number {
    const n = this.pending.length;
    if (n === 0) return 0;
    for (const l of this.pending) this.items.push(l);
    this.pending = [];
    return n;
  }

  /** Indexes of lines containing `query` (case-insensitive), in order. */
  search(query: string, limit = 10_000): number[] {
    const q = query.toLowerCase();
    if (!q) return [];
    const hits: number[] = [];
    for (let i = 0; i < this.items.length && hits.length < limit; i++) {
      if (this.items[i].text.toLowerCase().includes(q)) hits.push(i);
    }
    return hits;
  }
}

/** The next hit to jump to from `current` in `hits` (wrapping), forward or backward. */
export function nextHit(hits: readonly number[], current: number, forward: boolean): number | null {
  if (hits.length === 0) return null;
  if (forward) return hits.find((h) => h > current) ?? hits[0];
  for (let i = hits.length - 1; i >= 0; i--) if (hits[i] < current) return hits[i];
  return hits[hits.length - 1];
}
