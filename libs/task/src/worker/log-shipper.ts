import { SpillQueue } from './spill-queue';

export type OutLine = { seq: number; tsMs: number; stream: 'stdout' | 'stderr'; text: string };
export type ShipResult = { accepted: boolean; reason: string };

const MAX_BATCH_LINES = 1000;
/** A batch is one database document on the master: keep it far below 16 MB. */
const MAX_BATCH_CHARS = 1024 * 1024;
const MAX_LINE_CHARS = 64 * 1024;
/** Lines held in memory per attempt; more wait in the spill file. */
export const LOG_MEMORY_LINES = 20_000;

/**
 * Numbers a task's log lines from 1 without gaps and ships them in batches. A batch is
 * retried until the master takes it; the master stores lines by seq, so a resend after a
 * lost reply never duplicates. Memory is bounded: past `memoryLines` the queue spills to
 * a file. `close()` resolves once every line is stored.
 */
export class LogShipper {
  private seq = 0;
  private readonly queue: SpillQueue<OutLine>;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;
  private refused = false;

  constructor(
    private readonly send: (lines: OutLine[]) => Promise<ShipResult>,
    private readonly batchMs: number,
    private readonly onRefused: (reason: string) => void,
    private readonly retryDelayMs: (attempt: number) => number,
    spillFile: string,
    memoryLines = LOG_MEMORY_LINES,
  ) {
    this.queue = new SpillQueue<OutLine>(spillFile, memoryLines);
  }

  push(stream: 'stdout' | 'stderr', text: string): void {
    if (this.refused) return; // the master no longer wants this attempt's output
    const clipped = text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) + '…[line truncated]' : text;
    this.queue.push({ seq: ++this.seq, tsMs: Date.now(), stream, text: clipped });
    if (this.queue.size >= MAX_BATCH_LINES) this.flushSoon(0);
    else this.flushSoon(this.batchMs);
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
        const batch = capChars(this.queue.peek(MAX_BATCH_LINES), MAX_BATCH_CHARS);
        for (let attempt = 0; ; attempt++) {
          let res: ShipResult;
          try {
            res = await this.send(batch);
          } catch {
            await new Promise((r) => setTimeout(r, this.retryDelayMs(attempt)));
            continue;
          }
          if (!res.accepted) {
            this.queue.clear(); // the attempt is stale; nothing more of it is wanted
            this.refused = true;
            this.onRefused(res.reason);
            return;
          }
          break;
        }
        this.queue.drop(batch.length);
      }
    } finally {
      this.sending = undefined;
      if (this.queue.size > 0 && !this.closed) this.flushSoon(this.batchMs);
    }
  }
}

/** The longest prefix of `lines` within `max` characters of text (at least one line). */
function capChars(lines: OutLine[], max: number): OutLine[] {
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    total += lines[i].text.length;
    if (total > max && i > 0) return lines.slice(0, i);
  }
  return lines;
}
