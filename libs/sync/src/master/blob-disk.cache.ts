import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Largest piece one read returns, and so the largest Download message from the cache. Smaller
 * than a stored chunk (1 MB): served from disk the master sends as fast as the worker's window
 * allows, and the worker's stream buffers up to 16 messages besides its 8 MB HTTP/2 window;
 * with 1 MB messages a 200 MB file grew the worker by up to 75 MB (sync-large-file allows 64).
 */
export const DISK_READ_BYTES = 256 * 1024;

/** A cached file, checked against its sha256 by this process. */
export type DiskBlob = { sha256: string; size: number; file: string };

export type BlobDiskCacheOptions = { dir: string; maxBytes: number };

const SHA256 = /^[0-9a-f]{64}$/;
/** Temp files older than this are leftovers of a crash (another replica may be writing newer ones). */
const STALE_TMP_MS = 10 * 60_000;

/**
 * Verified copies of stored content on the master's disk, `<dir>/<sha[0..2]>/<sha>`, so a
 * download reads a local file instead of the database. On the embedded FerretDB every blob
 * document and chunk read is a round trip of ~5–10 ms, and a cold sync of 1000 files needed
 * ~2000 of them one after the other: the database paced the whole sync. The database stays the
 * source of truth (any replica serves any file); this is a cache of it.
 *
 * Safe across crashes and shared data dirs: a file appears under its final name only by a
 * rename after its sha256 was checked, and each process checks a file once more before it
 * serves it the first time (a crash of the machine may leave a renamed file whose bytes never
 * reached the disk). Bounded: least recently used files go beyond `maxBytes`.
 */
export class BlobDiskCache {
  private readonly log = new Logger(BlobDiskCache.name);
  /** sha256 → size, least recently used first. */
  private readonly lru = new Map<string, number>();
  private bytes = 0;
  /** Files this process checked (or wrote from bytes it hashed itself). */
  private readonly verified = new Set<string>();
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: BlobDiskCacheOptions) {}

  get enabled(): boolean {
    return this.opts.maxBytes > 0;
  }

  /** Whether content of this size is worth caching (one file never takes over the cache). */
  fits(size: number): boolean {
    return this.enabled && size <= this.opts.maxBytes / 4;
  }

  /** Removes crash leftovers and learns what is cached, once; later calls share the first. */
  start(): Promise<void> {
    this.ready ??= this.load().catch((err: unknown) => this.log.warn({ msg: 'reading the blob cache failed; it starts empty', dir: this.opts.dir, err: String(err) }));
    return this.ready;
  }

  /** The cached file, checked once per process; null when absent or damaged (then removed). */
  async get(sha256: string): Promise<DiskBlob | null> {
    if (!this.enabled || !SHA256.test(sha256)) return null;
    const file = this.path(sha256);
    const st = await stat(file).catch(() => null);
    if (!st || !st.isFile()) return null;
    if (!this.verified.has(sha256)) {
      const actual = await hashFile(file).catch(() => null);
      if (actual !== sha256) {
        this.log.warn({ msg: 'cached blob does not match its sha256; removed', sha256, actual });
        await unlink(file).catch(() => undefined);
        this.forget(sha256);
        return null;
      }
      this.verified.add(sha256);
    }
    this.touch(sha256, st.size);
    return { sha256, size: st.size, file };
  }

  /**
   * Takes a file the caller hashed itself (an upload's staged file) as the cached copy of
   * `sha256`: a hard link when possible, so caching an upload costs no copy.
   */
  async adopt(sha256: string, source: string, size: number): Promise<void> {
    if (!this.fits(size) || !SHA256.test(sha256)) return;
    await this.start();
    const tmp = await this.tmpName();
    try {
      await link(source, tmp).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV' && err.code !== 'EPERM' && err.code !== 'EMLINK' && err.code !== 'ENOTSUP') throw err;
        await copyFile(source, tmp);
      });
      await this.install(sha256, tmp, size);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Writes content read elsewhere (the database) into the cache; refused when its sha256 differs. */
  async fill(sha256: string, chunks: AsyncIterable<Buffer>): Promise<DiskBlob> {
    await this.start();
    const tmp = await this.tmpName();
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(tmp, 'w', 0o600);
    try {
      try {
        for await (const c of chunks) {
          hash.update(c);
          size += c.length;
          await fh.write(c);
        }
      } finally {
        await fh.close();
      }
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new Error(`stored content ${sha256} reads back as ${actual}`);
      await this.install(sha256, tmp, size);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { sha256, size, file: this.path(sha256) };
  }

  /** Piece `index` (DISK_READ_BYTES each) of a cached file. */
  async readChunk(blob: DiskBlob, index: number): Promise<Buffer> {
    if (blob.size <= DISK_READ_BYTES) return readFile(blob.file);
    const fh = await open(blob.file, 'r');
    try {
      const length = Math.min(DISK_READ_BYTES, blob.size - index * DISK_READ_BYTES);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, index * DISK_READ_BYTES);
      if (bytesRead !== length) throw new Error(`cached blob ${blob.sha256} is shorter than ${blob.size} bytes`);
      return buf;
    } finally {
      await fh.close();
    }
  }

  private async install(sha256: string, tmp: string, size: number): Promise<void> {
    const file = this.path(sha256);
    await mkdir(join(this.opts.dir, sha256.slice(0, 2)), { recursive: true });
    // Atomic: readers see no file or a whole one. Another process installing the same
    // content at once is harmless (same bytes).
    await rename(tmp, file);
    this.verified.add(sha256);
    this.touch(sha256, size);
    await this.evict();
  }

  private touch(sha256: string, size: number): void {
    const had = this.lru.get(sha256);
    if (had !== undefined) {
      this.lru.delete(sha256);
      this.bytes -= had;
    }
    this.lru.set(sha256, size);
    this.bytes += size;
  }

  private forget(sha256: string): void {
    const had = this.lru.get(sha256);
    if (had === undefined) return;
    this.lru.delete(sha256);
    this.bytes -= had;
    this.verified.delete(sha256);
  }

  private async evict(): Promise<void> {
    while (this.bytes > this.opts.maxBytes && this.lru.size > 1) {
      const oldest = this.lru.keys().next().value as string;
      this.forget(oldest);
      // A download reading it now keeps its open file; a later one reads the database again.
      await unlink(this.path(oldest)).catch(() => undefined);
    }
  }

  private async load(): Promise<void> {
    const tmpDir = join(this.opts.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    for (const name of await readdir(tmpDir)) {
      const st = await stat(join(tmpDir, name)).catch(() => null);
      if (st && Date.now() - st.mtimeMs > STALE_TMP_MS) await rm(join(tmpDir, name), { force: true });
    }
    const found: { sha: string; size: number; at: number }[] = [];
    for (const sub of await readdir(this.opts.dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(join(this.opts.dir, sub))) {
        if (!SHA256.test(name)) continue;
        const st = await stat(join(this.opts.dir, sub, name)).catch(() => null);
        if (st?.isFile()) found.push({ sha: name, size: st.size, at: st.atimeMs });
      }
    }
    found.sort((a, b) => a.at - b.at);
    for (const f of found) if (!this.lru.has(f.sha)) this.touch(f.sha, f.size);
    await this.evict();
  }

  private async tmpName(): Promise<string> {
    return join(this.opts.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  private path(sha256: string): string {
    return join(this.opts.dir, sha256.slice(0, 2), sha256);
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(c as Buffer);
  return hash.digest('hex');
}
