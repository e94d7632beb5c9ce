import mongoose from 'mongoose';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { Master, TestCluster } from './support/cluster';
import { tarGzTree } from './support/spider-tree';

type TarEntry = { name: string; content?: string | Buffer; type?: tar.Header['type']; linkname?: string };

async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name, mode: 0o644 }, typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0)));
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

/** A zip; names may be rewritten afterwards, since yazl itself refuses unsafe ones. */
async function zip(entries: { name: string; content: string; mode?: number }[], rename: [string, string][] = []): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(Buffer.from(e.content), e.name, { mode: e.mode ?? 0o100644 });
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  let buf = Buffer.concat(parts);
  for (const [from, to] of rename) {
    expect(from.length).toBe(to.length);
    let at = buf.indexOf(from);
    expect(at).toBeGreaterThanOrEqual(0);
    while (at >= 0) {
      buf.write(to, at, 'latin1');
      at = buf.indexOf(from, at + 1);
    }
    buf = Buffer.from(buf);
  }
  return buf;
}

describe('refused uploads store nothing: no version, no content, no staged file', () => {
  const cluster = new TestCluster('sync-refusals');
  let master: Master;
  let spiderId: string;
  let db: mongoose.Connection;

  /** Everything the database holds for spider files, counted straight from the collections. */
  async function stored(): Promise<{ versions: number; blobs: number; chunks: number }> {
    const names = (await db.db!.listCollections().toArray()).map((c) => c.name);
    let chunks = 0;
    for (const n of names.filter((x) => x.startsWith('blob_chunks'))) chunks += await db.db!.collection(n).countDocuments();
    return {
      versions: await db.db!.collection('spider_versions').countDocuments(),
      blobs: await db.db!.collection('blobs').countDocuments(),
      chunks,
    };
  }

  beforeAll(async () => {
    master = await cluster.startMaster({
      CRAWLNEST_MAX_UPLOAD_BYTES: String(64 * 1024),
      CRAWLNEST_MAX_TREE_BYTES: String(256 * 1024),
      CRAWLNEST_MAX_TREE_FILES: '5',
    });
    db = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName, retryWrites: false }).asPromise();
    spiderId = (await master.api.post('/api/spiders', { name: 'refusals', cmd: 'true' })).body.id;
    expect((await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'ok.txt': 'v1' })).body).toMatchObject({ version: 1 });
  });

  afterAll(async () => {
    await db?.close();
    await cluster.stop();
  });

  let before: Awaited<ReturnType<typeof stored>>;
  beforeEach(async () => {
    before = await stored();
  });
  afterEach(async () => {
    expect(await stored()).toEqual(before);
    expect((await master.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(1);
    // Staged bodies are removed whatever the outcome.
    expect(readdirSync(join(cluster.dir, 'master1', 'uploads'))).toEqual([]);
  });

  const put = (body: Buffer, type: string) => master.api.put(`/api/spiders/${spiderId}/files`, body, type);

  it.each<[string, () => Promise<Buffer>, string, number, string]>([
    ['zip-slip zip (../ entry after a good one)', () => zip([{ name: 'good.txt', content: 'g' }, { name: 'xx/evil.txt', content: 'x' }], [['xx/evil.txt', '../evil.txt']]), 'application/zip', 400, '../evil.txt'],
    ['zip with an absolute entry', () => zip([{ name: 'xetc/passwd', content: 'x' }], [['xetc/passwd', '/etc/passwd']]), 'application/zip', 400, 'absolute path: /etc/passwd'],
    ['zip with a symlink entry', () => zip([{ name: 'link', content: '/etc/passwd', mode: 0o120777 }]), 'application/zip', 400, 'link'],
    ['zip with a backslash entry', () => zip([{ name: 'a_b.txt', content: 'x' }], [['a_b.txt', 'a\\b.txt']]), 'application/zip', 400, 'invalid characters in fileName: a\\b.txt'],
    ['tar.gz with a hard link', () => tarGz([{ name: 'ok', content: 'k' }, { name: 'hard', type: 'link', linkname: 'ok' }]), 'application/gzip', 400, '"hard"'],
    ['tar.gz with a character device', () => tarGz([{ name: 'dev/tty', type: 'character-device' }]), 'application/gzip', 400, 'character-device'],
    ['tar.gz with an absolute path', () => tarGz([{ name: '/etc/cron.d/x', content: 'x' }]), 'application/gzip', 400, '/etc/cron.d/x'],
    ['tar.gz where a path is both a file and a directory', () => tarGz([{ name: 'a', content: '1' }, { name: 'a/b', content: '2' }]), 'application/gzip', 400, 'both a file and a directory'],
    ['tar.gz with more files than CRAWLNEST_MAX_TREE_FILES', () => tarGzTree(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, { content: `${i}` }]))), 'application/gzip', 413, 'more than 5 files'],
    ['tar.gz expanding past CRAWLNEST_MAX_TREE_BYTES (a small bomb)', () => tarGz([{ name: 'zeros', content: Buffer.alloc(300 * 1024) }]), 'application/gzip', 413, 'more than 262144 bytes'],
    ['an archive body over CRAWLNEST_MAX_UPLOAD_BYTES', async () => Buffer.alloc(100 * 1024, 1), 'application/zip', 413, 'larger than 65536 bytes'],
  ])('%s', async (_what, body, type, status, mentions) => {
    const r = await put(await body(), type);
    expect(r.status).toBe(status);
    expect(r.body.message).toContain(mentions);
  });

  it('multipart: good content first, then a bad name → 400, the good content is not stored either', async () => {
    const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, { 'fresh.bin': Buffer.alloc(30 * 1024, 9), '../escape.txt': 'x' });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('../escape.txt');
  });

  it('multipart over the tree size cap → 413', async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`p${i}.bin`, Buffer.alloc(60 * 1024, i + 1)]));
    const r = await master.api.putFiles(`/api/spiders/${spiderId}/files`, files);
    expect(r.status).toBe(413);
  });

  it('a single file over CRAWLNEST_MAX_UPLOAD_BYTES → 413', async () => {
    const r = await master.api.put(`/api/spiders/${spiderId}/files/big.bin`, Buffer.alloc(65 * 1024, 3), 'application/octet-stream');
    expect(r.status).toBe(413);
  });
});
