import { appendFileSync, closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const READ_BLOCK = 1024 * 1024;

/**
 * A FIFO of items that keeps at most `memoryLimit` of them (and `memoryBytes` of their
 * `sizeOf`) in memory and appends the rest to a file (JSON lines), read back in order as the
 * front drains. While the master is unreachable a chatty task fills the file, not the heap.
 */
export class SpillQueue<T> {
  private readonly mem: T[] = [];
  private memBytes = 0;
  private spilled = 0;
  private readPos = 0;

  constructor(
    private readonly file: string,
    private readonly memoryLimit: number,
    private readonly memoryBytes = Number.MAX_SAFE_INTEGER,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {}

  get size(): number {
    return this.mem.length + this.spilled;
  }

  push(item: T): void {
    if (this.spilled === 0 && this.fits(item)) {
      this.keep(item);
      return;
    }
    if (this.spilled === 0) mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, JSON.stringify(item) + '\n');
    this.spilled++;
  }

  /** Up to `n` items from the front, without removing them. */
  peek(n: number): T[] {
    if (this.mem.length < n && this.spilled > 0) this.refill();
    return this.mem.slice(0, n);
  }

  drop(n: number): void {
    for (const item of this.mem.splice(0, n)) this.memBytes -= this.sizeOf(item);
  }

  clear(): void {
    this.mem.length = 0;
    this.memBytes = 0;
    this.spilled = 0;
    this.dispose();
  }

  dispose(): void {
    rmSync(this.file, { force: true });
    this.readPos = 0;
  }

  /** One item always fits an empty queue, whatever its size. */
  private fits(item: T): boolean {
    if (this.mem.length === 0) return true;
    return this.mem.length < this.memoryLimit && this.memBytes + this.sizeOf(item) <= this.memoryBytes;
  }

  private keep(item: T): void {
    this.mem.push(item);
    this.memBytes += this.sizeOf(item);
  }

  private refill(): void {
    const fd = openSync(this.file, 'r');
    try {
      let buf = Buffer.alloc(READ_BLOCK);
      let full = false;
      while (this.spilled > 0 && !full) {
        const n = readSync(fd, buf, 0, buf.length, this.readPos);
        if (n === 0) break;
        let start = 0;
        for (;;) {
          const end = buf.indexOf(0x0a, start);
          if (end < 0 || end >= n || this.spilled === 0) break;
          const item = JSON.parse(buf.subarray(start, end).toString('utf8')) as T;
          if (!this.fits(item)) {
            full = true;
            break;
          }
          this.keep(item);
          this.spilled--;
          start = end + 1;
        }
        if (start === 0 && !full) {
          // One spilled item longer than the buffer (a large result): read it whole.
          if (n < buf.length) throw new Error(`spill file ${this.file} ends inside an item`);
          buf = Buffer.alloc(buf.length * 2);
        }
        this.readPos += start;
      }
    } finally {
      closeSync(fd);
    }
    if (this.spilled === 0) this.dispose();
  }
}
