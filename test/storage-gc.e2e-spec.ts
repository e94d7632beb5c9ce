import { createHash, randomBytes } from 'node:crypto';
import { Connection, createConnection } from 'mongoose';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

const KB = 1024;

/** Blob bytes as the database holds them: blob documents' sizes and the chunk bytes in every shard. */
async function storedBytes(conn: Connection): Promise<{ blobs: number; chunks: number }> {
  const db = conn.db;
  if (!db) throw new Error('no database');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  let chunks = 0;
  for (const name of names.filter((n) => n.startsWith('blob_chunks'))) {
    for (const c of await db.collection(name).find({}, { projection: { data: 1 } }).toArray()) {
      chunks += (c.data as { length?: number; buffer?: Buffer }).buffer?.length ?? (c.data as { length: number }).length;
    }
  }
  const blobs = (await db.collection('blobs').find({}, { projection: { size: 1 } }).toArray()).reduce((n, b) => n + Number(b.size), 0);
  return { blobs, chunks };
}

async function versionsOf(conn: Connection, spiderId: string): Promise<number[]> {
  const rows = await conn.db!.collection('spider_versions').find({ spiderId }, { projection: { version: 1 } }).toArray();
  return rows.map((r) => Number(r.version)).sort((a, b) => a - b);
}

describe('storage reclaimed: version retention, mark-and-sweep of blobs, spider deletes', () => {
  const cluster = new TestCluster('storage-gc');
  let a: Master;
  let b: Master;
  let conn: Connection;

  beforeAll(async () => {
    const env = { CRAWLNEST_STORAGE_GC_MS: '1000', CRAWLNEST_BLOB_GRACE_MS: '1500', CRAWLNEST_KEEP_VERSIONS: '3' };
    [a, b] = await Promise.all([cluster.startMaster(env), cluster.startMaster(env)]);
    conn = await createConnection(cluster.mongoUri, { dbName: cluster.dbName }).asPromise();
  });
  afterAll(async () => {
    await conn?.close();
    await cluster.stop();
  });

  it('keeps the last N versions plus the ones open tasks use, frees deleted spiders, and blob bytes return to the baseline', async () => {
    const baseline = await storedBytes(conn);
    const upload = async (m: Master, id: string, bytes: number) => {
      const r = await m.api.putFiles<{ version: number }>(`/api/spiders/${id}/files`, { 'data.bin': randomBytes(bytes) });
      expect(r.status).toBe(200);
      return r.body.version;
    };
    // A: 8 versions of 256 KB, keeps the default 3.
    const sa = (await a.api.post<{ id: string }>('/api/spiders', { name: 'gc-a', cmd: 'true' })).body.id;
    for (let i = 0; i < 8; i++) await upload(i % 2 ? a : b, sa, 256 * KB);
    // B: keeps 1, but its version 1 is pinned by a task that has not run (no worker).
    const sb = (await a.api.post<{ id: string; keepVersions: number | null }>('/api/spiders', { name: 'gc-b', cmd: 'true', keepVersions: 1 })).body;
    expect(sb.keepVersions).toBe(1);
    await upload(a, sb.id, 512 * KB);
    const task = (await a.api.post<{ tasks: { id: string; spiderVersion: number }[] }>('/api/tasks', { spiderId: sb.id })).body.tasks[0];
    expect(task.spiderVersion).toBe(1);
    for (let i = 0; i < 3; i++) await upload(b, sb.id, 512 * KB);
    // C: 1 MB, then deleted.
    const sc = (await a.api.post<{ id: string }>('/api/spiders', { name: 'gc-c', cmd: 'true' })).body.id;
    await upload(a, sc, 1024 * KB);
    // The collector already runs during the uploads (pruning A's older versions); at most all is stored.
    const peak = await storedBytes(conn);
    expect(peak.blobs - baseline.blobs).toBeLessThanOrEqual(8 * 256 * KB + 4 * 512 * KB + 1024 * KB);
    expect(peak.blobs - baseline.blobs).toBeGreaterThanOrEqual(3 * 256 * KB + 4 * 512 * KB + 1024 * KB);
    expect((await a.api.delete(`/api/spiders/${sc}`)).status).toBe(204);

    const expectedKept = 3 * 256 * KB + 2 * 512 * KB;
    await waitFor('retention and collection', async () => {
      const now = await storedBytes(conn);
      return now.blobs - baseline.blobs === expectedKept && now.chunks - baseline.chunks === expectedKept;
    }, 30_000, 500);
    expect(await versionsOf(conn, sa)).toEqual([6, 7, 8]);
    expect(await versionsOf(conn, sb.id)).toEqual([1, 4]);
    const spiderA = (await b.api.get<{ version: number; fileCount: number }>(`/api/spiders/${sa}`)).body;
    expect(spiderA).toMatchObject({ version: 8, fileCount: 1 });
    expect((await b.api.get(`/api/spiders/${sa}/files/data.bin`)).status).toBe(200);

    // The task ends: its version is no longer pinned. Then everything is deleted.
    expect((await a.api.post(`/api/tasks/${task.id}/cancel`)).status).toBeLessThan(300);
    await waitFor('the unpinned version goes', async () => JSON.stringify(await versionsOf(conn, sb.id)) === '[4]', 20_000, 500);
    for (const id of [sa, sb.id]) expect((await b.api.delete(`/api/spiders/${id}`)).status).toBe(204);
    await waitFor('blob bytes back at the baseline', async () => {
      const now = await storedBytes(conn);
      return now.blobs === baseline.blobs && now.chunks === baseline.chunks;
    }, 30_000, 500);
    console.log(`blob bytes: baseline ${baseline.chunks}, peak ${peak.chunks}, after deletes ${(await storedBytes(conn)).chunks}`);
  });

  it('content collected and uploaded again right after is stored afresh and reads back intact', async () => {
    const content = randomBytes(300 * KB);
    const s1 = (await a.api.post<{ id: string }>('/api/spiders', { name: 'gc-re1', cmd: 'true' })).body.id;
    expect((await a.api.putFiles(`/api/spiders/${s1}/files`, { 'x.bin': content })).status).toBe(200);
    expect((await a.api.delete(`/api/spiders/${s1}`)).status).toBe(204);
    const sha = createHash('sha256').update(content).digest('hex');
    const blobDoc = () => conn.db!.collection<{ _id: string }>('blobs').findOne({ _id: sha });
    await waitFor('the content is collected', async () => (await blobDoc()) === null, 30_000, 300);
    const s2 = (await b.api.post<{ id: string }>('/api/spiders', { name: 'gc-re2', cmd: 'true' })).body.id;
    expect((await b.api.putFiles(`/api/spiders/${s2}/files`, { 'x.bin': content })).status).toBe(200);
    // Several collector runs pass: the referenced content stays.
    await new Promise((r) => setTimeout(r, 3500));
    const back = await fetch(`${a.api.baseUrl}/api/spiders/${s2}/files/x.bin`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(content)).toBe(true);
    expect(await blobDoc()).not.toBeNull();
  });
});
