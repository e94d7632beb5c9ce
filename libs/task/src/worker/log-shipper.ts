import { SeqShipper, ShipResult } from './seq-shipper';

export type { ShipResult } from './seq-shipper';
export type OutLine = { seq: number; tsMs: number; stream: 'stdout' | 'stderr'; text: string };

const MAX_BATCH_LINES = 1000;
/** A batch is one database document on the master: keep it far below 16 MB. */
const MAX_BATCH_CHARS = 1024 * 1024;
const MAX_LINE_CHARS = 64 * 1024;
/** Lines held in memory per attempt; more wait in the spill file. */
export const LOG_MEMORY_LINES = 20_000;

/**
 * Numbers a task's log lines from 1 without gaps and ships them in batches (a SeqShipper).
 * `close()` resolves once every line is stored.
 */
export class LogShipper {
  private seq = 0;
  private readonly shipper: SeqShipper<OutLine>;

  constructor(
    send: (lines: OutLine[]) => Promise<ShipResult>,
    batchMs: number,
    onRefused: (reason: string) => void,
    retryDelayMs: (attempt: number) => number,
    spillFile: string,
    memoryLines = LOG_MEMORY_LINES,
  ) {
    this.shipper = new SeqShipper<OutLine>({
      send,
      batchMs,
      onRefused,
      retryDelayMs,
      spillFile,
      maxBatchItems: MAX_BATCH_LINES,
      maxBatchBytes: MAX_BATCH_CHARS,
      memoryItems: memoryLines,
      memoryBytes: memoryLines * 1024,
      sizeOf: (l) => l.text.length,
    });
  }

  push(stream: 'stdout' | 'stderr', text: string): void {
    if (this.shipper.refused) return; // the master no longer wants this attempt's output
    const clipped = text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) + '…[line truncated]' : text;
    this.shipper.push({ seq: ++this.seq, tsMs: Date.now(), stream, text: clipped });
  }

  /** Ships everything still queued; resolves when all of it is stored (or refused). */
  close(): Promise<void> {
    return this.shipper.close();
  }
}
