import { appendFileSync, closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const READ_BLOCK = 1024 * 1024;

/**
 * A FIFO of items that keeps at most `memoryLimit` of them in memory and appends the rest
 * to a file (JSON lines), read back in order as the front drains. While the master is
 * unreachable a chatty task fills the file, not the worker's heap.
 */
export class SpillQueue<T> {
  private readonly mem: T[] = [];
  private spilled = 0;
  private readPos = 0;

  constructor(
    private readonly file: string,
    private readonly memoryLimit: number,
  ) {}

  get size(): number {
    return this.mem.length + this.spilled;
  }

  push(item: T): void {
    if (this.spilled === 0 && this.mem.length < this.memoryLimit) {
      this.mem.push(item);
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
    this.mem.splice(0, n);
  }

  clear(): void {
    this.mem.length = 0;
    this.spilled = 0;
    this.dispose();
  }

  dispose(): void {
    rmSync(this.file, { force: true });
    this.readPos = 0;
  }

  private refill(): void {
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(READ_BLOCK);
      while (this.spilled > 0 && this.mem.length < this.memoryLimit) {
        const n = readSync(fd, buf, 0, buf.length, this.readPos);
        if (n === 0) break;
        const chunk = buf.subarray(0, n);
        let start = 0;
        for (let i = 0; i < n && this.spilled > 0; i++) {
          if (chunk[i] !== 0x0a) continue;
          this.mem.push(JSON.parse(chunk.subarray(start, i).toString('utf8')) as T);
          this.spilled--;
          start = i + 1;
        }
        if (start === 0) throw new Error(`spilled line longer than ${READ_BLOCK} bytes in ${this.file}`);
        this.readPos += start;
      }
    } finally {
      closeSync(fd);
    }
    if (this.spilled === 0) this.dispose();
  }
}
