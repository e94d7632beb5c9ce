import { BlobReadCache, SMALL_CACHE_BYTES } from './blob-read.cache';
import { BlobRecord, BlobRepository } from './blob.repository';
import { BlobDiskCache } from './blob-disk.cache';

/** Counts database reads; chunk content is the chunk's id. */
class CountingBlobs {
  finds = 0;
  chunkReads = 0;
  find = async (sha: string): Promise<BlobRecord | null> => {
    this.finds++;
    return sha === 'absent' ? null : blob(sha, 10);
  };
  readChunk = async (b: BlobRecord, i: number): Promise<Buffer> => {
    this.chunkReads++;
    await new Promise((r) => setImmediate(r));
    return Buffer.from(`${b._id}:${i}`);
  };
}

const blob = (sha: string, size: number, chunks = 1): BlobRecord => ({ _id: sha, size, chunks, createdAt: new Date(), layout: 2 });

async function readAll(cache: BlobReadCache, b: BlobRecord): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of cache.chunks(b)) parts.push(c);
  return Buffer.concat(parts).toString();
}

describe('BlobReadCache: N workers fetching the same content cost one database read', () => {
  let repo: CountingBlobs;
  let cache: BlobReadCache;
  beforeEach(() => {
    repo = new CountingBlobs();
    cache = new BlobReadCache(repo as unknown as BlobRepository, new BlobDiskCache({ dir: '/nonexistent', maxBytes: 0 }));
  });

  it('4 concurrent downloads of a small file share one chunk read and one record lookup', async () => {
    const records = await Promise.all([1, 2, 3, 4].map(() => cache.find('s1')));
    const got = await Promise.all(records.map((r) => readAll(cache, r as BlobRecord)));
    expect(got).toEqual(['s1:0', 's1:0', 's1:0', 's1:0']);
    expect(repo.finds).toBe(1);
    expect(repo.chunkReads).toBe(1);
  });

  it('never caches chunks of large files (memory stays bounded)', async () => {
    const big = blob('big', 5 * 1024 * 1024, 5);
    await readAll(cache, big);
    await readAll(cache, big);
    expect(repo.chunkReads).toBe(10);
  });

  it('does not remember content that is absent: it may be stored a moment later', async () => {
    expect(await cache.find('absent')).toBeNull();
    await new Promise((r) => setImmediate(r));
    await cache.find('absent');
    expect(repo.finds).toBe(2);
  });

  it('evicts the least recently used small chunks beyond its byte budget', async () => {
    const size = 200 * 1024;
    const n = Math.floor(SMALL_CACHE_BYTES / size) + 20; // 20 more than the budget holds
    for (let i = 0; i < n; i++) await readAll(cache, blob(`b${i}`, size));
    expect(repo.chunkReads).toBe(n);
    await readAll(cache, blob(`b${n - 1}`, size)); // recent: still cached
    expect(repo.chunkReads).toBe(n);
    await readAll(cache, blob('b0', size)); // oldest: evicted
    expect(repo.chunkReads).toBe(n + 1);
  });
});
