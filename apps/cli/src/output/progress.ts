import { Transform, TransformCallback } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { humanBytes } from './print';

/**
 * Counts the bytes flowing through it and shows them with their rate on stderr (a bar when
 * `expected` is known). Without a terminal nothing is drawn; `finish()` prints one summary.
 */
export class ByteProgress extends Transform {
  private bytes = 0;
  private readonly started = Date.now();
  private readonly bar: SingleBar | null;

  constructor(
    private readonly label: string,
    private readonly expected: number | null,
  ) {
    super();
    this.bar = process.stderr.isTTY
      ? new SingleBar({
          stream: process.stderr,
          format: `${label} [{bar}] {sent}${expected ? ' of ~{expected}' : ''} | {rate}/s`,
          barCompleteChar: '#',
          barIncompleteChar: '.',
          hideCursor: true,
          fps: 10,
        })
      : null;
    this.bar?.start(expected ?? 1, 0, this.payload());
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.bar?.update(Math.min(this.bytes, this.expected ?? 0), this.payload());
    cb(null, chunk);
  }

  get total(): number {
    return this.bytes;
  }

  /** Stops the bar and prints `label: N bytes in T s (R/s)`. */
  finish(): void {
    if (this.bar) {
      this.bar.update(this.expected ?? 1, this.payload());
      this.bar.stop();
    }
    const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
    process.stderr.write(`${this.label}: ${humanBytes(this.bytes)} in ${secs.toFixed(1)} s (${humanBytes(this.bytes / secs)}/s)\n`);
  }

  abort(): void {
    this.bar?.stop();
  }

  private payload(): Record<string, string> {
    const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
    return { sent: humanBytes(this.bytes), expected: humanBytes(this.expected ?? 0), rate: humanBytes(this.bytes / secs) };
  }
}
