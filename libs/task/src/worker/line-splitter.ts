import { StringDecoder } from 'node:string_decoder';

/** A complete line of task output, or what is left of one that outgrew every cap. */
export type SplitLine =
  /** The whole line (bytes without the newline). */
  | { kind: 'line'; text: string; bytes: number }
  /**
   * A line longer than its cap: `head` is its first `logCapBytes` bytes, the rest was dropped
   * as it arrived (`bytes` is the full length). `maybeResult` says it looks like a result
   * message (starts with `{`, `"ipc"` in its first or last bytes), so the caller can refuse it
   * as a result instead of logging it.
   */
  | { kind: 'overlong'; head: string; bytes: number; maybeResult: boolean };

export type LineSplitterLimits = {
  /** A line that cannot be a result message is kept up to this many bytes. */
  logCapBytes: number;
  /** A line starting with `{` may be a result message: kept whole up to this many bytes. */
  resultCapBytes: number;
};

const NEWLINE = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const TAIL_BYTES = 64;

/**
 * Splits a byte stream into lines with memory bounded by `resultCapBytes` whatever the input:
 * a 1 GiB line without a newline is counted as it passes, never held. Bytes that are not
 * UTF-8 become U+FFFD (the replacement character, visible in the log); a trailing `\r` is
 * dropped (CRLF output). A line is held in memory up to its cap: the log cap, or the result
 * cap when its first non-blank byte is `{` (only then can it be a crawlab-sdk result line).
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  /** Bytes of the current line seen so far (held or dropped). */
  private lineBytes = 0;
  private head: string | undefined;
  /** The last bytes of a line over its cap: crawlab-sdk writes `"ipc":true` at the end. */
  private tail: Buffer = Buffer.alloc(0);
  private mayBeResult: boolean | undefined;

  constructor(private readonly limits: LineSplitterLimits) {}

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) {
        this.take(chunk.subarray(start));
        return out;
      }
      this.take(chunk.subarray(start, nl));
      out.push(this.endLine());
      start = nl + 1;
    }
  }

  /** The last line when the stream ended without a newline (nothing when it was empty). */
  end(): SplitLine[] {
    return this.lineBytes > 0 ? [this.endLine()] : [];
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    this.lineBytes += piece.length;
    if (this.head !== undefined) {
      // Already over its cap: count and drop, keeping only a short tail.
      this.tail = Buffer.concat([this.tail, piece.subarray(Math.max(0, piece.length - TAIL_BYTES))]);
      if (this.tail.length > TAIL_BYTES) this.tail = this.tail.subarray(this.tail.length - TAIL_BYTES);
      return;
    }
    this.parts.push(piece);
    this.held += piece.length;
    if (this.mayBeResult === undefined) this.mayBeResult = startsWithBrace(this.parts);
    const cap = this.mayBeResult !== false ? this.limits.resultCapBytes : this.limits.logCapBytes;
    if (this.held > cap) {
      const all = Buffer.concat(this.parts, this.held);
      this.head = decode(all.subarray(0, this.limits.logCapBytes));
      this.tail = Buffer.from(all.subarray(Math.max(0, all.length - TAIL_BYTES)));
      this.parts = [];
      this.held = 0;
    }
  }

  private endLine(): SplitLine {
    let line: SplitLine;
    if (this.head !== undefined) {
      const head = this.head;
      const marked = head.includes('"ipc"') || this.tail.toString('latin1').includes('"ipc"');
      line = { kind: 'overlong', head, bytes: this.lineBytes, maybeResult: this.mayBeResult === true && marked };
    } else {
      let buf = Buffer.concat(this.parts, this.held);
      if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
      line = { kind: 'line', text: decode(buf), bytes: buf.length };
    }
    this.parts = [];
    this.held = 0;
    this.lineBytes = 0;
    this.head = undefined;
    this.tail = Buffer.alloc(0);
    this.mayBeResult = undefined;
    return line;
  }
}

/** undefined while only blanks were seen. */
function startsWithBrace(parts: Buffer[]): boolean | undefined {
  for (const p of parts) {
    for (const b of p) {
      if (b === 0x20 || b === 0x09) continue;
      return b === OPEN_BRACE;
    }
  }
  return undefined;
}

/** Invalid sequences, and a character cut at the end, become U+FFFD. */
function decode(buf: Buffer): string {
  const d = new StringDecoder('utf8');
  return d.write(buf) + d.end();
}
