import { Injectable } from '@nestjs/common';
import { BlobRecord, BlobRepository } from './blob.repository';

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

type Cached = { data: Promise<Buffer>; size: number };

/**
 * Reads of stored content for the Download stream. Content is immutable (addressed by its
 * sha256), so nothing here can go stale. N workers fetching the same small files at once
 * cost one database read per file instead of N (each read on FerretDB/SQLite costs a
 * collection scan); concurrent reads of one chunk share a single query (singleflight).
 */
@Injectable()
export class BlobReadCache {
  private readonly records = new Map<string, Promise<BlobRecord | null>>();
  private readonly small = new Map<string, Cached>();
  private smallBytes = 0;

  constructor(private readonly blobs: BlobRepository) {}

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
