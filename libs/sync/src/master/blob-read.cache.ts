import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BlobRecord, BlobRepository } from './blob.repository';
import { BlobDiskCache, DISK_READ_BYTES, DiskBlob } from './blob-disk.cache';

/**
 * Content a download sends: `chunks` pieces of at most 1 MB, read one at a time (`chunk(i)`),
 * from the master's disk cache when it holds the content, from the database otherwise.
 */
export type BlobSource = { sha256: string; size: number; chunks: number; chunk: (index: number) => Promise<Buffer> };

/** Chunks of files up to this size are kept in memory once read. */
const SMALL_BLOB_BYTES = 256 * 1024;
/**
 * Memory the small-chunk cache may hold; large files are never cached, so RSS stays bounded.
 * Sized to hold a typical project's small files whole (the sync bench's 1000 files / 50 MB):
 * workers that drift apart while syncing the same version then still share one database read
 * per file, where a smaller budget evicted what the slower workers had yet to fetch.
 */
export const SMALL_CACHE_BYTES = 64 * 1024 * 1024;
const MAX_RECORDS = 50_000;
/** Cache misses read from the database at once. */
const MAX_MISSES_AT_ONCE = 8;

type Cached = { data: Promise<Buffer>; size: number };

/**
 * Reads of stored content for the Download stream. Content is immutable (addressed by its
 * sha256), so nothing here can go stale. N workers fetching the same small files at once
 * cost one database read per file instead of N (each read on FerretDB/SQLite costs a
 * collection scan); concurrent reads of one chunk share a single query (singleflight).
 */
@Injectable()
export class BlobReadCache implements OnApplicationBootstrap {
  private readonly log = new Logger(BlobReadCache.name);
  private readonly records = new Map<string, Promise<BlobRecord | null>>();
  private readonly small = new Map<string, Cached>();
  private smallBytes = 0;
  /** Copies from the database to the disk cache under way (one per content at a time). */
  private readonly filling = new Map<string, Promise<BlobSource | null>>();
  private missesRunning = 0;
  private readonly missWaiters: (() => void)[] = [];

  constructor(
    private readonly blobs: BlobRepository,
    private readonly disk: BlobDiskCache,
  ) {}

  onApplicationBootstrap(): void {
    void this.disk.start();
  }

  /**
   * The content to send for `sha256`, or null when it is not stored. From the disk cache when
   * it holds it (no database read at all); otherwise copied there from the database first
   * (once, whoever asks meanwhile waits for that copy), or read from the database directly when
   * it does not fit the cache or the copy fails.
   */
  async open(sha256: string): Promise<BlobSource | null> {
    const hit = await this.disk.get(sha256);
    if (hit) return this.fromDisk(hit);
    let p = this.filling.get(sha256);
    if (!p) {
      p = this.openMiss(sha256).finally(() => this.filling.delete(sha256));
      this.filling.set(sha256, p);
    }
    return p;
  }

  /** Keeps an upload's staged file (hashed on its way in) as the cached copy of its content. */
  async adopt(sha256: string, file: string, size: number): Promise<void> {
    try {
      await this.disk.adopt(sha256, file, size);
    } catch (err) {
      // Only a cache: downloads read the database instead.
      this.log.warn({ msg: 'caching uploaded content on disk failed', sha256, err: String(err) });
    }
  }

  private async openMiss(sha256: string): Promise<BlobSource | null> {
    // A batch asks for up to 64 files at once and 8 batches run per worker: without a bound a
    // cold cache would put hundreds of reads on the embedded database at once.
    while (this.missesRunning >= MAX_MISSES_AT_ONCE) await new Promise<void>((r) => this.missWaiters.push(r));
    this.missesRunning++;
    try {
      return await this.readMiss(sha256);
    } finally {
      this.missesRunning--;
      this.missWaiters.shift()?.();
    }
  }

  private async readMiss(sha256: string): Promise<BlobSource | null> {
    const blob = await this.find(sha256);
    if (!blob) return null;
    if (this.disk.fits(blob.size)) {
      try {
        return this.fromDisk(await this.disk.fill(sha256, this.blobs.readChunks(blob)));
      } catch (err) {
        this.log.warn({ msg: 'copying stored content to the disk cache failed; reading the database', sha256, err: String(err) });
      }
    }
    return { sha256, size: blob.size, chunks: blob.chunks, chunk: (i) => this.chunk(blob, i) };
  }

  private fromDisk(b: DiskBlob): BlobSource {
    return { sha256: b.sha256, size: b.size, chunks: Math.max(1, Math.ceil(b.size / DISK_READ_BYTES)), chunk: (i) => this.disk.readChunk(b, i) };
  }

  find(sha256: string): Promise<BlobRecord | null> {
    let p = this.records.get(sha256);
    if (!p) {
      p = this.blobs.find(sha256);
      this.records.set(sha256, p);
      // An absent or failed lookup is not kept: the content may be stored a moment later.
      p.then(
        (r) => (r ? undefined : this.records.delete(sha256)),
        () => this.records.delete(sha256),
      );
      if (this.records.size > MAX_RECORDS) this.records.delete(this.records.keys().next().value as string);
    }
    return p;
  }

  /** The blob's chunks in order; one in memory at a time unless the blob is small. */
  async *chunks(blob: BlobRecord): AsyncGenerator<Buffer> {
    for (let i = 0; i < blob.chunks; i++) yield await this.chunk(blob, i);
  }

  /** One chunk, from memory when the blob is small and was read before. */
  chunk(blob: BlobRecord, index: number): Promise<Buffer> {
    return blob.size <= SMALL_BLOB_BYTES ? this.smallChunk(blob, index) : this.blobs.readChunk(blob, index);
  }

  private smallChunk(blob: BlobRecord, index: number): Promise<Buffer> {
    const key = `${blob._id}:${index}`;
    const hit = this.small.get(key);
    if (hit) {
      // Most recently used goes last, so eviction from the front is LRU.
      this.small.delete(key);
      this.small.set(key, hit);
      return hit.data;
    }
    const entry: Cached = { data: this.blobs.readChunk(blob, index), size: blob.size };
    this.small.set(key, entry);
    this.smallBytes += entry.size;
    entry.data.catch(() => this.forget(key, entry));
    while (this.smallBytes > SMALL_CACHE_BYTES && this.small.size > 1) {
      const [oldest, e] = this.small.entries().next().value as [string, Cached];
      this.forget(oldest, e);
    }
    return entry.data;
  }

  private forget(key: string, entry: Cached): void {
    if (this.small.get(key) !== entry) return;
    this.small.delete(key);
    this.smallBytes -= entry.size;
  }
}
