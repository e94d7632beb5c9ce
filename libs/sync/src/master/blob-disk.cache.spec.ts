import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobDiskCache } from './blob-disk.cache';
import { BlobReadCache, BlobSource } from './blob-read.cache';
import { BlobRecord, BlobRepository } from './blob.repository';

const MB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Stored content in memory, stored in 1 MB chunks like the database; counts reads. */
class StoredBlobs {
  readonly content = new Map<string, Buffer>();
  finds = 0;
  chunkReads = 0;
  store(b: Buffer): string {
    this.content.set(sha(b), b);
    return sha(b);
  }
  find = async (id: string): Promise<BlobRecord | null> => {
    this.finds++;
    const b = this.content.get(id);
    return b ? { _id: id, size: b.length, chunks: Math.max(1, Math.ceil(b.length / MB)), createdAt: new Date(), layout: 3, gen: 'g' } : null;
  };
  readChunk = async (r: BlobRecord, i: number): Promise<Buffer> => {
    this.chunkReads++;
    await new Promise((res) => setImmediate(res));
    return (this.content.get(r._id) as Buffer).subarray(i * MB, (i + 1) * MB);
  };
  async *readChunks(r: BlobRecord): AsyncGenerator<Buffer> {
    for (let i = 0; i < r.chunks; i++) yield await this.readChunk(r, i);
  }
}

async function readSource(s: BlobSource | null): Promise<Buffer> {
  if (!s) throw new Error('not found');
  const parts: Buffer[] = [];
  for (let i = 0; i < s.chunks; i++) parts.push(await s.chunk(i));
  return Buffer.concat(parts);
}

describe('BlobReadCache with the disk cache: content is read from the database once per master, not once per download', () => {
  let dir: string;
  let db: StoredBlobs;
  const reader = (maxBytes = 64 * MB) => new BlobReadCache(db as unknown as BlobRepository, new BlobDiskCache({ dir, maxBytes }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'blob-disk-'));
    db = new StoredBlobs();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the first download copies the content to disk; later ones, and a restarted master, read no database at all', async () => {
    const small = Buffer.from('hello world');
    const big = Buffer.alloc(2.5 * MB, 7);
    const [s1, s2] = [db.store(small), db.store(big)];
    const first = reader();
    expect(await readSource(await first.open(s1))).toEqual(small);
    expect((await readSource(await first.open(s2))).equals(big)).toBe(true); // (toEqual on MBs of bytes takes minutes)
    const reads = { finds: db.finds, chunks: db.chunkReads };
    expect(reads.chunks).toBe(1 + 3);
    expect((await readSource(await first.open(s2))).equals(big)).toBe(true);
    const restarted = reader();
    expect(await readSource(await restarted.open(s1))).toEqual(small);
    expect((await readSource(await restarted.open(s2))).equals(big)).toBe(true);
    expect({ finds: db.finds, chunks: db.chunkReads }).toEqual(reads);
  });

  it('4 downloads of content not cached yet share one copy from the database', async () => {
    const s = db.store(Buffer.alloc(100_000, 1));
    const r = reader();
    const got = await Promise.all([1, 2, 3, 4].map(async () => readSource(await r.open(s))));
    expect(got.every((b) => b.length === 100_000)).toBe(true);
    expect(db.finds).toBe(1);
    expect(db.chunkReads).toBe(1);
  });

  it('an uploaded file adopted into the cache is downloaded without reading the database', async () => {
    const body = Buffer.from('uploaded content');
    const staged = join(dir, 'staged');
    writeFileSync(staged, body);
    const s = db.store(body);
    const r = reader();
    await r.adopt(s, staged, body.length);
    rmSync(staged); // the upload removes its staging file; the cached copy stays
    expect(await readSource(await r.open(s))).toEqual(body);
    expect(db.finds + db.chunkReads).toBe(0);
  });

  it('a cached file whose bytes are damaged (a crash before they reached the disk) is never served: the next master reads the database again', async () => {
    const body = Buffer.alloc(5000, 3);
    const s = db.store(body);
    await readSource(await reader().open(s));
    writeFileSync(join(dir, s.slice(0, 2), s), Buffer.alloc(5000, 0)); // same size, wrong bytes
    const restarted = reader();
    expect(await readSource(await restarted.open(s))).toEqual(body);
    expect(db.chunkReads).toBe(2);
  });

  it('content the database does not hold is not found; a failed copy leaves no file under a final name', async () => {
    expect(await reader().open('0'.repeat(64))).toBeNull();
    const s = db.store(Buffer.from('x'));
    db.content.set(s, Buffer.from('not x')); // the database returns other bytes than the sha256 says
    const r = reader();
    const src = await r.open(s); // served from the database, not cached
    expect((await readSource(src)).toString()).toBe('not x');
    expect(readdirSync(dir).filter((n) => n !== 'tmp')).toEqual([]);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('keeps its disk use under the budget, dropping the least recently used content', async () => {
    const r = reader(1 * MB);
    const ids = Array.from({ length: 10 }, (_, i) => db.store(Buffer.alloc(200_000, i)));
    for (const id of ids) await readSource(await r.open(id));
    const cached = readdirSync(dir)
      .filter((n) => n !== 'tmp')
      .flatMap((sub) => readdirSync(join(dir, sub)));
    expect(cached.length).toBeLessThanOrEqual(5);
    expect(cached).toContain(ids[9]);
    expect(cached).not.toContain(ids[0]);
  });
});
